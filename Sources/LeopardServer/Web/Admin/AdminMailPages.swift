import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// The admin's pages around mail: the link an invite or a reset sends (choose a password), the
/// "forgot your password" form, and the owner's list of the store's mail with a resend button
/// for what failed.
struct AdminMailPages {
    let routes: AdminRoutes

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/admin/setup") { request, context in
            let visit = try await routes.visit(request, context)
            return try visit.page(
                "shared/link-form", Self.setupForm(token: request.queryDictionary["token"], errors: FieldMessages()), title: "Choose a password", section: nil)
        }
        router.post("/admin/setup", use: setup)
        router.get("/admin/forgot") { request, context in
            let visit = try await routes.visit(request, context)
            return try visit.page("shared/link-form", Self.forgotForm(email: "", errors: FieldMessages()), title: "Forgot your password?", section: nil)
        }
        router.post("/admin/forgot", use: forgot)
        router.get("/admin/mail", use: mailbox)
        registerVerification(on: router)
        router.get("/admin/mail/preview/:kind") { request, context in try await preview(request, context, htmlPart: false) }
        router.get("/admin/mail/preview/:kind/html") { request, context in try await preview(request, context, htmlPart: true) }
        router.post("/admin/mail/:mailId/resend") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            _ = try await visit.form()
            let id = try context.parameters.require("mailId")
            let resent = await visit.attempt {
                _ = try visit.requireOwner()
                return try await MailQueue(database: visit.database).resend(id: id)
            }
            if case .failure(let problem) = resent { throw problem }
            return routes.pages.redirect(to: "/admin/mail?done=mail-resent")
        }
    }

    @Sendable func setup(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await routes.visit(request, context)
        let fields = try await visit.form()
        let token = String((fields["token"] ?? "").prefix(200))
        let password = String((fields["password"] ?? "").prefix(1024))
        if let problem = PasswordHasher.problem(with: password) {
            let errors = FieldMessages([("password", problem)], general: "Check the fields marked below.")
            return try visit.page(
                "shared/link-form", Self.setupForm(token: token, errors: errors), title: "Choose a password", section: nil, status: .unprocessableContent)
        }
        let sessions = StaffSessions(database: visit.database, hasher: routes.pages.hasher)
        guard let issued = try await sessions.completeSetup(token: token, password: password) else {
            let used = LinkFormPage(
                heading: "This link does not work any more", message: "It was used already, or it has expired. Ask for a new one.",
                footer: "Send me a new link", footerLink: "/admin/forgot")
            return try visit.page("shared/link-form", used, title: "Link expired", section: nil, status: .unauthorized)
        }
        return routes.pages.redirect(to: "/admin?done=password", cookies: [routes.session(issued, request: request)])
    }

    @Sendable func forgot(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await routes.visit(request, context)
        let email = String((try await visit.form()["email"] ?? "").prefix(254))
        do {
            try await AccountMailRoutes(services: routes.services).throttle("staff-reset", context, email: email)
            try await StaffSessions(database: visit.database, hasher: routes.pages.hasher).requestPasswordReset(
                email: email, mail: routes.services.mailer.sender)
        } catch let problem as Problem where problem.status < 500 {
            return try visit.page(
                "shared/link-form", Self.forgotForm(email: email, errors: FieldMessages(form: problem)), title: "Forgot your password?", section: nil,
                status: .init(code: problem.status))
        }
        let sent = LinkFormPage(
            heading: "Check your e-mail",
            message: "If \(email) belongs to this store's staff, a link to choose a new password is on its way. It works for one hour.",
            footer: "Back to sign in", footerLink: "/admin/login")
        return try visit.page("shared/link-form", sent, title: "Check your e-mail", section: nil)
    }

    @Sendable func mailbox(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await routes.visit(request, context)
        guard visit.staff != nil else { return visit.signIn() }
        let query = request.queryDictionary
        let listed = await visit.attempt {
            _ = try visit.requireOwner()
            let status = query["status"].flatMap(QueuedMail.Status.init(rawValue:))
            return (status, try await MailQueue(database: visit.database).list(status: status, page: try PageRequest(limit: "50", cursor: query["cursor"])))
        }
        switch listed {
        case .failure(let problem): throw problem
        case .success(let (status, page)):
            return try visit.page("admin/mail", MailListPage(page: page, status: status), title: "Mail", section: "/admin/mail")
        }
    }

    /// The link a staff member's verification mail carries: a page with a button (mail
    /// scanners follow links, and must not use them up), whose POST verifies the address.
    func registerVerification(on router: RouterGroup<StoreContext>) {
        router.get("/admin/verify-email") { request, context in
            let visit = try await routes.visit(request, context)
            let form = LinkFormPage(
                heading: "Confirm your e-mail address", message: "Confirm that this address is yours, so that we can reach you about the store.",
                action: "/admin/verify-email", token: request.queryDictionary["token"].map { String($0.prefix(200)) }, button: "Confirm my address")
            return try visit.page("shared/link-form", form, title: "Confirm your e-mail address", section: nil)
        }
        router.post("/admin/verify-email") { request, context in
            let visit = try await routes.visit(request, context)
            let token = String((try await visit.form()["token"] ?? "").prefix(200))
            guard let email = try await StaffEmailVerification(database: visit.database).verify(token: token) else {
                let used = LinkFormPage(
                    heading: "This link does not work any more", message: "It was used already, or it has expired. Sign in to ask for a new one.",
                    footer: "Sign in", footerLink: "/admin/login")
                return try visit.page("shared/link-form", used, title: "Link expired", section: nil, status: .unauthorized)
            }
            let done = LinkFormPage(
                heading: "Thank you", message: "\(email) is confirmed.", footer: visit.staff == nil ? "Sign in" : "Open the admin",
                footerLink: visit.staff == nil ? "/admin/login" : "/admin")
            return try visit.page("shared/link-form", done, title: "Address confirmed", section: nil)
        }
        router.post("/admin/verify-email/resend") { request, context in
            let visit = try await routes.visit(request, context)
            guard let staff = visit.staff else { return visit.signIn() }
            _ = try await visit.form()
            let sent = await visit.attempt {
                try await AccountMailRoutes(services: routes.services).throttle("staff-verify", context, email: staff.email)
                try await StaffEmailVerification(database: visit.database).requestVerification(staffID: staff.staffID, mail: routes.services.mailer.sender)
            }
            if case .failure(let problem) = sent, problem.status != 409 { throw problem }
            return routes.pages.redirect(to: "/admin?done=verification-sent")
        }
    }

    /// The owner's preview of one kind of mail: the page, or (`htmlPart`) the HTML part alone
    /// for the page's frame, sandboxed and framable by the admin only.
    func preview(_ request: Request, _ context: StoreContext, htmlPart: Bool) async throws -> Response {
        let visit = try await routes.visit(request, context)
        guard visit.staff != nil else { return visit.signIn() }
        let name = try context.parameters.require("kind")
        let written = await visit.attempt {
            _ = try visit.requireOwner()
            guard let kind = MailKind(rawValue: name) else { throw Problem.notFound("There is no kind of mail called \(name.prefix(64)).") }
            return (kind, try await routes.services.mailer.preview(kind, slug: visit.context.tenant.slug, database: visit.database))
        }
        guard case .success(let (kind, message)) = written else {
            if case .failure(let problem) = written { throw problem }
            throw Problem.notFound("There is no such mail.")
        }
        guard htmlPart else {
            let shown = AccountMailRoutes.Preview(kind: kind, message: message)
            let page = MailPreviewPage(kind: kind, subject: shown.subject, from: shown.from, replyTo: shown.replyTo, text: shown.text)
            return try visit.page("admin/mail-preview", page, title: "Mail preview", section: "/admin/mail")
        }
        var response = routes.pages.html(message.html ?? "", request: request)
        response.headers[.init("Content-Security-Policy")!] =
            "default-src 'none'; img-src 'self' https: data:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
        return response
    }

    static func setupForm(token: String?, errors: FieldMessages) -> LinkFormPage {
        LinkFormPage(
            heading: "Choose a password", message: "At least 8 characters. You are signed in once it is saved, and signed out everywhere else.",
            errors: errors, action: "/admin/setup", token: token.map { String($0.prefix(200)) }, askPassword: true, button: "Save and sign in")
    }

    static func forgotForm(email: String, errors: FieldMessages) -> LinkFormPage {
        LinkFormPage(
            heading: "Forgot your password?", message: "Enter the e-mail address you sign in with and we will send you a link to choose a new password.",
            errors: errors, action: "/admin/forgot", askEmail: true, button: "Send me a link", email: email, footer: "Back to sign in",
            footerLink: "/admin/login")
    }
}
