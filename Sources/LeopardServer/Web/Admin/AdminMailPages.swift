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
        let hash = try await routes.pages.hasher.hash(password)
        guard let issued = try await StaffSessions(database: visit.database, hasher: routes.pages.hasher).completeSetup(token: token, passwordHash: hash) else {
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
