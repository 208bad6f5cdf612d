import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardPlatform
import LeopardStorage
import LeopardWeb
import NIOCore

/// One shopper's request on a store's host, as the HTML pages see it: the store's settings, the
/// form token, and the shopper's cart and customer session from their cookies.
struct StorefrontVisit {
    let request: Request
    let context: StoreContext
    let pages: WebPages
    /// The store's settings (a stand-in with the store's name until `loadSettings` when the
    /// visit was made without them).
    private(set) var settings: StoreSettings
    let database: any DatabaseHandle
    let tenant: Tenant
    var tenantID: String { tenant.id }
    let binding: BrowserSession.Binding
    /// `(cart id, secret)` from the `lp_cart` cookie.
    let cartCookie: (id: String, secret: String)?
    let customerToken: String?
    /// Rendering for the page cache: the form token and the cart count are placeholders that
    /// each response replaces with the visitor's own.
    var placeholders: StorefrontPageCache.Placeholders?

    init(_ request: Request, context: StoreContext, pages: WebPages, loadSettings: Bool = true) async throws {
        let (tenant, database) = (context.tenant, context.database)
        self.request = request
        self.context = context
        self.pages = pages
        self.database = database
        self.tenant = tenant
        self.settings = StoreSettings(name: tenant.storeName, currency: "USD", contactEmail: nil)
        self.binding = BrowserSession.binding(request, session: nil)
        if let value = BrowserSession.read(BrowserSession.cartCookie, request), let dot = value.firstIndex(of: "."), value.utf8.count <= 200 {
            cartCookie = (String(value[..<dot]), String(value[value.index(after: dot)...]))
        } else {
            cartCookie = nil
        }
        customerToken = BrowserSession.read(BrowserSession.customerCookie, request)?.nilIfEmpty
        if loadSettings { try await self.loadSettings() }
    }

    mutating func loadSettings() async throws {
        guard let settings = try await StoreSettings.load(from: database) else { throw Problem.unavailable("This store is not set up yet.") }
        self.settings = settings
    }

    var scope: String { "store:\(tenantID)" }
    var csrf: String { placeholders?.csrf ?? pages.session.token(scope: scope, binding: binding.value) }
    var frame: PageRenderer.Frame { .init(csrf: csrf, storeName: settings.name) }

    /// The cookies every page sets: the anonymous form cookie when it is new.
    var baseCookies: [Cookie] {
        binding.newCookie.map { [BrowserSession.cookie(BrowserSession.anonymousCookie, $0, request: request)] } ?? []
    }

    /// Reads a posted form and checks its token; a missing or wrong token is a 403 and nothing happens.
    func form() async throws -> FormFields {
        let fields = try await BrowserSession.readForm(request)
        try pages.session.check(fields[BrowserSession.formField], scope: scope, binding: binding)
        return fields
    }

    /// The shopper's open cart, or nil (none, expired, checked out, or not theirs).
    func cart() async -> Cart? {
        guard let cart = await anyCart(), cart.status == "active" else { return nil }
        return cart
    }

    /// The cart the cookie names, checked out or not.
    func anyCart() async -> Cart? {
        guard let cookie = cartCookie, let cart = try? await Carts(database: database).get(id: cookie.id, access: .secret(cookie.secret)) else { return nil }
        return cart
    }

    func customer() async -> Customer? {
        guard let token = customerToken, token.hasPrefix(Customers.tokenPrefix), token.utf8.count <= 200 else { return nil }
        return try? await Customers(database: database, hasher: pages.hasher).customer(token: token)
    }

    /// The absolute URL of `path` on this store's host, for canonical links and the sitemap.
    /// `LeopardResponder` found this store by this host and refused any other shape of Host.
    func absolute(_ path: String) -> String {
        var host = (request.headers[LeopardResponder.hostHeader] ?? request.head.authority ?? "localhost").lowercased()
        if !HostClassifier.isWellFormedAuthority(host) { host = "localhost" }
        return (BrowserSession.isSecure(request) ? "https://" : "http://") + host + path
    }

    func chrome(title: String, description: String, path: String, cart: Cart?, signedIn: Bool, search: String = "") -> StorefrontChrome {
        var chrome = StorefrontChrome(
            title: title == settings.name ? title : "\(title) · \(settings.name)",
            description: String(description.prefix(300)), canonical: absolute(path), settings: settings,
            stylesheet: pages.assets.stylesheet.path, year: String(Calendar(identifier: .gregorian).component(.year, from: Date())))
        chrome.cartCount = placeholders?.cartCount ?? String(cart?.itemCount ?? 0)
        chrome.customerSignedIn = signedIn
        chrome.searchQuery = search
        return chrome
    }

    /// The page's HTML alone, for the page cache.
    func html<Page>(_ template: String, _ page: Page, chrome: StorefrontChrome) throws -> String {
        try pages.renderer.render(template, page: page, frame: frame, layout: "shared/storefront-layout", chrome: chrome)
    }

    func page<Page>(_ template: String, _ page: Page, chrome: StorefrontChrome, status: HTTPResponse.Status = .ok, cookies: [Cookie] = []) throws -> Response {
        let html = try pages.renderer.render(template, page: page, frame: frame, layout: "shared/storefront-layout", chrome: chrome)
        return pages.html(html, status: status, request: request, cookies: baseCookies + cookies)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
