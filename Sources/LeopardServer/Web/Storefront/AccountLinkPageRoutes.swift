import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// The storefront's pages around mailed links: the verification link from registration, and
/// "forgot your password" with the reset link. Each link opens a form; only its POST uses the
/// link up, and a link that worked signs the shopper in.
struct AccountLinkPageRoutes {
    let pages: WebPages
    let services: LeopardServices
    let account: AccountPageRoutes

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/account/verify") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            return try await page(visit, confirmForm(token: request.queryDictionary["token"]))
        }
        router.post("/account/verify") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            let fields = try await visit.form()
            let token = String((fields["token"] ?? "").prefix(200))
            guard let session = try await customers(visit).verify(token: token, password: String((fields["password"] ?? "").prefix(1024))) else {
                let form = confirmForm(token: token, general: "The password is not the one chosen when registering, or the link has expired or was used.")
                return try await page(visit, form, status: .unauthorized)
            }
            return pages.redirect(to: "/account", cookies: visit.baseCookies + [account.signedIn(session, request: request)])
        }
        router.get("/account/forgot") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            return try await page(visit, Self.forgotForm(email: "", errors: FieldMessages()))
        }
        router.post("/account/forgot", use: forgot)
        router.get("/account/reset-password") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            return try await page(visit, resetForm(token: request.queryDictionary["token"], errors: FieldMessages()))
        }
        router.post("/account/reset-password", use: reset)
    }

    @Sendable func forgot(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await StorefrontVisit(request, context: context, pages: pages)
        let email = String((try await visit.form()["email"] ?? "").prefix(254))
        do {
            try await AccountMailRoutes(services: services).throttle("reset", context, email: email)
            try await customers(visit).requestPasswordReset(email: email, mail: services.mailer.sender)
        } catch let problem as Problem where problem.status < 500 {
            return try await page(visit, Self.forgotForm(email: email, errors: FieldMessages(form: problem)), status: .init(code: problem.status))
        }
        return try await page(visit, Self.checkMail("If \(email) has an account here, a link to choose a new password is on its way. It works for one hour."))
    }

    @Sendable func reset(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await StorefrontVisit(request, context: context, pages: pages)
        let fields = try await visit.form()
        let token = String((fields["token"] ?? "").prefix(200))
        do {
            guard let session = try await customers(visit).resetPassword(token: token, password: String((fields["password"] ?? "").prefix(1024))) else {
                return try await page(visit, Self.usedLink(register: false), status: .unauthorized)
            }
            return pages.redirect(to: "/account", cookies: visit.baseCookies + [account.signedIn(session, request: request)])
        } catch let problem as Problem where problem.status < 500 {
            return try await page(visit, resetForm(token: token, errors: FieldMessages(form: problem)), status: .init(code: problem.status))
        }
    }

    func confirmForm(token: String?, general: String? = nil) -> LinkFormPage {
        LinkFormPage(
            heading: "Confirm your e-mail address", message: "Enter the password you chose when registering to finish creating your account and sign in.",
            errors: FieldMessages(general: general), action: "/account/verify", token: token.map { String($0.prefix(200)) }, askPassword: true,
            button: "Confirm and sign in", passwordLabel: "Your password")
    }

    func resetForm(token: String?, errors: FieldMessages) -> LinkFormPage {
        LinkFormPage(
            heading: "Choose a new password", message: "At least 8 characters. Every other device signed in to your account is signed out.",
            errors: errors, action: "/account/reset-password", token: token.map { String($0.prefix(200)) }, askPassword: true, button: "Save and sign in")
    }

    static func forgotForm(email: String, errors: FieldMessages) -> LinkFormPage {
        LinkFormPage(
            heading: "Forgot your password?", message: "Enter your e-mail address and we will send you a link to choose a new one.", errors: errors,
            action: "/account/forgot", askEmail: true, button: "Send me a link", email: email, footer: "Back to sign in", footerLink: "/account/login")
    }

    static func checkMail(_ message: String) -> LinkFormPage {
        LinkFormPage(heading: "Check your e-mail", message: message, footer: "Back to sign in", footerLink: "/account/login")
    }

    static func usedLink(register: Bool) -> LinkFormPage {
        LinkFormPage(
            heading: "This link does not work any more",
            message: "It was used already, or it has expired. " + (register ? "Register again to get a new one." : "Ask for a new one."),
            footer: register ? "Create an account" : "Send me a new link", footerLink: register ? "/account/register" : "/account/forgot")
    }

    func page(_ visit: StorefrontVisit, _ model: LinkFormPage, status: HTTPResponse.Status = .ok) async throws -> Response {
        var chrome = visit.chrome(
            title: model.heading, description: "Your account at \(visit.settings.name).", path: "/account", cart: await visit.cart(), signedIn: false)
        chrome.noindex = true
        return try visit.page("shared/link-form", model, chrome: chrome, status: status)
    }

    func customers(_ visit: StorefrontVisit) -> Customers {
        Customers(database: visit.database, hasher: pages.hasher)
    }
}
