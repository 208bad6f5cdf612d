import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardPayments
import LeopardStorage
import LeopardWeb

/// One request to the admin on a store's host: the store's settings, the staff member signed in
/// with the `lp_admin` cookie (a staff session of this store's database; a cookie from another
/// store matches nothing here), and the form token bound to that session.
struct AdminVisit {
    let request: Request
    let context: StoreContext
    let pages: WebPages
    let settings: StoreSettings
    let database: any DatabaseHandle
    let tenantID: String
    let sessionToken: String?
    let staff: StaffPrincipal?
    let binding: BrowserSession.Binding
    /// The store's payment mode, for the test-mode banner on every page (signed in only).
    let payments: PaymentSetup?

    init(_ request: Request, context: StoreContext, pages: WebPages) async throws {
        let (tenant, database) = (context.tenant, context.database)
        self.request = request
        self.context = context
        self.pages = pages
        self.database = database
        self.tenantID = tenant.id
        guard let settings = try await StoreSettings.load(from: database) else { throw Problem.unavailable("This store is not set up yet.") }
        self.settings = settings
        var staff: StaffPrincipal?
        var token: String?
        if let value = BrowserSession.read(BrowserSession.adminCookie, request), value.hasPrefix(StaffSessions.prefix), value.utf8.count <= 200 {
            staff = try await StaffSessions(database: database, hasher: pages.hasher).principal(token: value)
            token = staff == nil ? nil : value
        }
        self.staff = staff
        self.payments = staff == nil ? nil : try await PaymentSetup.load(database: database)
        self.sessionToken = token
        self.binding = BrowserSession.binding(request, session: token)
    }

    var scope: String { "admin:\(tenantID)" }
    var csrf: String { pages.session.token(scope: scope, binding: binding.value) }

    var baseCookies: [Cookie] {
        var cookies = binding.newCookie.map { [BrowserSession.cookie(BrowserSession.anonymousCookie, $0, request: request)] } ?? []
        // A cookie for a session that has ended (expired, signed out elsewhere) is cleared.
        if sessionToken == nil, BrowserSession.read(BrowserSession.adminCookie, request) != nil {
            cookies.append(BrowserSession.expired(BrowserSession.adminCookie, request: request))
        }
        return cookies
    }

    /// Where a visitor who is not signed in is sent: the sign-in form.
    func signIn() -> Response {
        pages.redirect(to: "/admin/login", cookies: baseCookies)
    }

    /// Reads a posted form and checks its token: 403 and nothing done when it is missing or wrong.
    func form() async throws -> FormFields {
        let fields = try await BrowserSession.readForm(request)
        try check(fields[BrowserSession.formField])
        return fields
    }

    func check(_ token: String?) throws {
        try pages.session.check(token, scope: scope, binding: binding)
    }

    /// The signed-in staff member; 401 otherwise (pages send visitors to the sign-in form first).
    func requireStaff() throws -> StaffPrincipal {
        guard let staff else { throw Problem.unauthorized("Sign in to the admin.") }
        return staff
    }

    /// The store's owner; 403 for other staff, as on the API.
    func requireOwner() throws -> StaffPrincipal {
        let staff = try requireStaff()
        guard staff.isOwner else { throw Problem.forbidden("Only the store's owner can do this.") }
        return staff
    }

    /// Runs a service for a page: its value, or the problem the API would answer with, for the
    /// page to show beside the form.
    func attempt<T>(_ body: () async throws -> T) async -> Result<T, Problem> {
        do {
            return .success(try await body())
        } catch {
            return .failure(ProblemRenderer.problem(for: error, context: context))
        }
    }

    func page<Page>(
        _ template: String, _ page: Page, title: String, section: String?, status: HTTPResponse.Status = .ok, cookies: [Cookie] = []
    ) throws -> Response {
        let notice = request.queryDictionary["done"].flatMap { Self.notices[$0] }
        let chrome = AdminChrome(
            title: title, section: section, stylesheet: pages.assets.stylesheet.path, themeCSS: ThemeStyle(settings.theme).css,
            staffEmail: staff?.email, notice: notice, testMode: payments?.testModeNotice, shows: { [staff] in AdminPermissions.allows(staff, path: $0) })
        let html = try pages.renderer.render(
            template, page: page, frame: .init(csrf: csrf, storeName: settings.name), layout: "shared/admin-layout", chrome: chrome)
        return pages.html(html, status: status, request: request, cookies: baseCookies + cookies)
    }

    /// Notices after an action, by the code in `?done=`; the page never echoes text from the address.
    static let notices: [String: String] = [
        "created": "Product created.", "saved": "Changes saved.", "uploaded": "Image uploaded.", "image-removed": "Image removed.",
        "deleted": "Product deleted.", "fulfilled": "Order marked as fulfilled.", "cancelled": "Order cancelled.", "refunded": "Refund recorded.",
        "paid": "Order marked as paid.", "shipped": "Shipment recorded: the customer gets an e-mail with its tracking.",
        "returned": "Return recorded.", "note": "Note added.", "created-order": "Order created: it waits for payment.", "role": "Role added.",
        "role-removed": "Role deleted.",
        "role-changed": "Role changed.", "settings": "Settings saved.", "stripe": "Stripe keys saved.", "staff": "Staff member added.",
        "staff-removed": "Staff member removed.", "key-revoked": "API key revoked.", "invited": "Invitation sent: they will get a link to choose a password.",
        "mail-resent": "The mail will be sent again.", "password": "Password saved. You are signed in.",
        "verification-sent": "A new link is on its way: check your e-mail.",
        "discount": "Discount added.", "discount-saved": "Discount saved.", "discount-removed": "Discount deleted.", "zone": "Shipping zone added.",
        "zone-saved": "Shipping zone saved.", "webhook-removed": "Endpoint deleted.", "customer-tags": "Tags saved.", "customer-note": "Note added.",
        "imported": "Products imported.", "category": "Category added.", "category-saved": "Category saved.",
        "category-removed": "Category deleted; its products have none now, and the categories under it moved up.",
        "edited": "Order edited; its timeline says what changed.",
        "redelivered": "The delivery is queued to go again now.", "zone-removed": "Shipping zone deleted.",
        "rate": "Tax rate added.", "rate-removed": "Tax rate deleted.", "email-verified": "Thank you: your e-mail address is confirmed.",
        "welcome": "Welcome to your new store! Add your first product to get started.",
    ]
}
