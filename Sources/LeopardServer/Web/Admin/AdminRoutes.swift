import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// The admin at `/admin` on a store's host: sign-in and sign-out, the one-time link from
/// signup, and the dashboard. Products, orders, customers, settings and the team have their own
/// files.
struct AdminRoutes {
    let pages: WebPages
    let services: LeopardServices

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/admin/login") { request, context in
            let visit = try await visit(request, context)
            if visit.staff != nil { return pages.redirect(to: "/admin") }
            return try visit.page("admin/login", AdminLoginPage(email: "", error: nil), title: "Sign in", section: nil)
        }
        router.post("/admin/login", use: login)
        router.post("/admin/logout") { request, context in
            let visit = try await visit(request, context)
            _ = try await visit.form()
            if let staff = visit.staff, case .session(let id) = staff.credential {
                try await StaffSessions(database: visit.database, hasher: pages.hasher).revoke(sessionID: id)
            }
            return pages.redirect(to: "/admin/login", cookies: [BrowserSession.expired(BrowserSession.adminCookie, request: request)])
        }
        // The link from signup opens a page that asks to continue, and only the form's POST
        // signs in: a link prefetcher cannot use the link up, and nobody is signed in to a store
        // they did not mean to enter just by opening a link someone sent them.
        router.get("/admin/handoff") { request, context in
            let visit = try await visit(request, context)
            let token = String((request.queryDictionary["token"] ?? "").prefix(100))
            struct Handoff {
                let token: String
                let email: String
            }
            // Only a live link shows whom it signs in as: without one, nobody's address is shown.
            guard let email = try await StaffSessions(database: visit.database, hasher: pages.hasher).handoffEmail(token: token) else {
                return try visit.page("admin/login", AdminLoginPage(email: "", error: Self.usedHandoff), title: "Sign in", section: nil, status: .notFound)
            }
            return try visit.page("admin/handoff", Handoff(token: token, email: email), title: "Welcome", section: nil)
        }
        router.post("/admin/handoff") { request, context in
            let visit = try await visit(request, context)
            let token = try await visit.form()["token"] ?? ""
            guard let issued = try await StaffSessions(database: visit.database, hasher: pages.hasher).redeemHandoff(token: token) else {
                return try visit.page("admin/login", AdminLoginPage(email: "", error: Self.usedHandoff), title: "Sign in", section: nil, status: .unauthorized)
            }
            return pages.redirect(to: "/admin?done=welcome", cookies: [session(issued, request: request)])
        }
        router.get("/admin", use: dashboard)
        AdminProductPages(routes: self).register(on: router)
        AdminOrderPages(routes: self).register(on: router)
        AdminDraftPages(routes: self).register(on: router)
        AdminWebhookPages(routes: self).register(on: router)
        AdminCustomerPages(routes: self).register(on: router)
        AdminProductImportPages(routes: self).register(on: router)
        AdminCategoryPages(routes: self).register(on: router)
        AdminReportPages(routes: self).register(on: router)
        AdminSettingsPages(routes: self).register(on: router)
        AdminMailPages(routes: self).register(on: router)
        AdminEconomicsPages(routes: self).register(on: router)
    }

    static let usedHandoff = "That sign-in link has expired or was used already. Sign in with your e-mail and password."

    /// A visit to the admin; 403 (a page saying so) for a member whose role does not open the
    /// path's section (see `AdminPermissions`).
    func visit(_ request: Request, _ context: StoreContext) async throws -> AdminVisit {
        let visit = try await AdminVisit(request, context: context, pages: pages)
        // The route the router matched (its template), so that no spelling of a path (empty
        // segments, escapes) reaches a page under another section's rule.
        if let staff = visit.staff {
            try staff.require(anyOf: AdminPermissions.needed(for: context.endpointPath ?? request.uri.path))
            try staff.require(anyOf: AdminPermissions.needed(for: request.uri.path))
        }
        return visit
    }

    func session(_ issued: StaffSessions.Issued, request: Request) -> Cookie {
        BrowserSession.cookie(BrowserSession.adminCookie, issued.token, request: request, maxAge: Int(StaffSessions.lifetime))
    }

    @Sendable func login(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await visit(request, context)
        let form = try await visit.form()
        let email = String((form["email"] ?? "").prefix(254))
        let password = String((form["password"] ?? "").prefix(1024))
        let byAddress = "staff:\(visit.tenantID):\(context.clientAddress ?? "local")"
        let byEmail = "staff:\(visit.tenantID):\(email.lowercased())"
        let attempt: LoginThrottle.Attempt
        do {
            attempt = try await LoginThrottle(limiter: services.loginLimiter).begin(byAddress, byEmail)
        } catch let problem as Problem where problem.status == 429 {
            return try visit.page("admin/login", AdminLoginPage(email: email, error: problem.detail), title: "Sign in", section: nil, status: .tooManyRequests)
        }
        guard let issued = try await StaffSessions(database: visit.database, hasher: pages.hasher).login(email: email, password: password) else {
            return try visit.page(
                "admin/login", AdminLoginPage(email: email, error: "The e-mail address or password is wrong."), title: "Sign in", section: nil,
                status: .unauthorized)
        }
        await attempt.succeeded()
        return pages.redirect(to: "/admin", cookies: [session(issued, request: request)])
    }

    @Sendable func dashboard(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await visit(request, context)
        guard let staff = visit.staff else { return visit.signIn() }
        let verified = try await StaffEmailVerification(database: visit.database).isVerified(staffID: staff.staffID)
        let overview = try await StoreOverview.load(from: visit.database, lowStockThreshold: visit.settings.lowStockThreshold, zone: visit.settings.zone)
        let seesOrders = staff.can(.orders) || staff.can(.fulfillments)
        let recent = seesOrders ? try await Orders(database: visit.database).list(.init(), page: PageRequest(limit: 8)).data : []
        let model = DashboardPage(
            ordersToday: overview.ordersToday,
            revenueToday: staff.can(.reports) || staff.can(.orders)
                ? MoneyText.format(amount: overview.revenueToday, currency: visit.settings.currency) : "—",
            awaitingFulfilment: overview.awaitingFulfilment, productCount: overview.productCount,
            lowStock: (staff.can(.products) ? overview.lowStock : []).map {
                .init(product: $0.productTitle, variant: $0.variantTitle, stock: $0.stock, url: "/admin/products/\($0.productID)")
            },
            recentOrders: recent, storefrontUrl: storefrontURL(request), unverifiedEmail: verified ? nil : staff.email)
        return try visit.page("admin/dashboard", model, title: "Dashboard", section: "/admin")
    }
}

/// The store's home page, as the browser reached this host.
func storefrontURL(_ request: Request) -> String {
    let host = request.headers[LeopardResponder.hostHeader] ?? request.head.authority ?? "localhost"
    return (BrowserSession.isSecure(request) ? "https://" : "http://") + host + "/"
}

/// Builds `/path?name=value…` with the values percent-encoded; blank values are left out.
func pageLink(_ path: String, _ items: [(String, String?)]) -> String {
    var components = URLComponents()
    components.path = path
    let kept = items.compactMap { name, value in value.flatMap { $0.isEmpty ? nil : URLQueryItem(name: name, value: $0) } }
    components.queryItems = kept.isEmpty ? nil : kept
    // `+` in a value would read back as a space.
    components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
    return components.string ?? path
}
