import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// Shoppers' accounts: registration, sign-in (the `lp_customer` cookie holds a customer session
/// of this store), sign-out and order history.
struct AccountPageRoutes {
    let pages: WebPages
    let services: LeopardServices

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/account/login") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            if await visit.customer() != nil { return pages.redirect(to: "/account") }
            return try await form(visit, register: false, values: [:], errors: FieldMessages())
        }
        router.get("/account/register") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            return try await form(visit, register: true, values: [:], errors: FieldMessages())
        }
        router.post("/account/login", use: login)
        router.post("/account/register", use: registration)
        router.post("/account/logout") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            _ = try await visit.form()
            if let token = visit.customerToken, token.hasPrefix(Customers.tokenPrefix), token.utf8.count <= 200 {
                try await Customers(database: visit.database, hasher: pages.hasher).logout(token: token)
            }
            return pages.redirect(to: "/", cookies: [BrowserSession.expired(BrowserSession.customerCookie, request: request)])
        }
        AccountLinkPageRoutes(pages: pages, services: services, account: self).register(on: router)
        ProfilePageRoutes(pages: pages, services: services).register(on: router)
        router.get("/account") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            guard let customer = await visit.customer() else {
                return pages.redirect(
                    to: "/account/login",
                    cookies: visit.baseCookies + (visit.customerToken != nil ? [BrowserSession.expired(BrowserSession.customerCookie, request: request)] : []))
            }
            let cursor = request.queryDictionary["cursor"]
            let page = try await Orders(database: visit.database).list(
                .init(account: customer.id), page: (try? PageRequest(limit: "20", cursor: cursor)) ?? PageRequest(limit: 20))
            var chrome = visit.chrome(
                title: "Your account", description: "Your account at \(visit.settings.name).", path: "/account", cart: await visit.cart(), signedIn: true)
            chrome.noindex = true
            return try visit.page(
                "storefront/account",
                AccountPage(customer: customer, orders: page.data, nextUrl: page.nextCursor.map { pageLink("/account", [("cursor", $0)]) }), chrome: chrome)
        }
    }

    func form(
        _ visit: StorefrontVisit, register: Bool, values: [String: String], errors: FieldMessages, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var chrome = visit.chrome(
            title: register ? "Create an account" : "Sign in", description: "Your account at \(visit.settings.name).",
            path: register ? "/account/register" : "/account/login", cart: await visit.cart(), signedIn: false)
        chrome.noindex = true
        return try visit.page("storefront/account-form", AccountFormPage(register: register, values: values, errors: errors), chrome: chrome, status: status)
    }

    func signedIn(_ session: Customers.Session, request: Request) -> Cookie {
        BrowserSession.cookie(BrowserSession.customerCookie, session.token, request: request, maxAge: 30 * 24 * 3600)
    }

    @Sendable func login(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await StorefrontVisit(request, context: context, pages: pages)
        let fields = try await visit.form()
        let email = String((fields["email"] ?? "").prefix(254))
        let values = ["email": email]
        let byAddress = "customer:\(visit.tenantID):\(context.clientAddress ?? "local")"
        let byEmail = "customer:\(visit.tenantID):\(email.lowercased())"
        let attempt: LoginThrottle.Attempt
        do {
            attempt = try await LoginThrottle(limiter: services.loginLimiter).begin(byAddress, byEmail)
        } catch let problem as Problem where problem.status == 429 {
            return try await form(visit, register: false, values: values, errors: FieldMessages(general: problem.detail), status: .tooManyRequests)
        }
        guard
            let session = try await Customers(database: visit.database, hasher: pages.hasher).login(
                email: email, password: String((fields["password"] ?? "").prefix(1024)))
        else {
            return try await form(
                visit, register: false, values: values, errors: FieldMessages(general: "The e-mail address or password is wrong."), status: .unauthorized)
        }
        await attempt.succeeded()
        return pages.redirect(to: "/account", cookies: visit.baseCookies + [signedIn(session, request: request)])
    }

    @Sendable func registration(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await StorefrontVisit(request, context: context, pages: pages)
        let fields = try await visit.form()
        var values: [String: String] = [:]
        for name in ["email", "firstName", "lastName"] { values[name] = String((fields[name] ?? "").prefix(254)) }
        let registration = Customers.Registration(
            email: values["email"] ?? "", password: String((fields["password"] ?? "").prefix(1024)),
            firstName: fields.text("firstName"), lastName: fields.text("lastName"))
        do {
            try await AccountMailRoutes(services: services).throttle("register", context, email: registration.email)
            try await Customers(database: visit.database, hasher: pages.hasher).register(registration, mail: services.mailer.sender)
            let links = AccountLinkPageRoutes(pages: pages, services: services, account: self)
            return try await links.page(
                visit, AccountLinkPageRoutes.checkMail("We sent a link to \(registration.email). Follow it within 24 hours to finish creating your account."))
        } catch let problem as Problem where problem.status < 500 {
            return try await form(visit, register: true, values: values, errors: FieldMessages(form: problem), status: .init(code: problem.status))
        }
    }
}
