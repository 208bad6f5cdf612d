import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardStorage
import Testing

@testable import LeopardCommerce
@testable import LeopardOperations
@testable import LeopardServer

@Suite("Web: escaping, form tokens, sessions")
struct WebSecurityTests {
    static let script = "<script>alert(1)</script>"

    @Test("a product title with a script tag shows as text on every page that names it")
    func titlesAreEscaped() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Escape Shop")
            let product = try await client.makeProduct(store, title: Self.script, price: 1200, stock: 5)
            let slug = try #require(product["slug"] as? String)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let productPage = try await browser.get("/products/\(slug)", host: store.host)
            _ = try await browser.post("/cart/add", host: store.host, form: ["product": slug, "variant": variant, "quantity": "1"], csrf: productPage.csrf)
            let pages = [
                try await browser.get("/", host: store.host),
                try await browser.get("/products", host: store.host),
                try await browser.get("/products?q=alert", host: store.host),
                productPage,
                try await browser.get("/cart", host: store.host),
                try await browser.get("/checkout", host: store.host),
                try await browser.get("/admin/products", host: store.host),
                try await browser.get("/admin/products/\(try #require(product["id"] as? String))", host: store.host),
            ]
            for page in pages {
                #expect(page.status == .ok)
                #expect(!page.html.contains(Self.script))
                #expect(page.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            }
        }
    }

    @Test("a form post without its token, or with a wrong one, is a 403 and changes nothing")
    func formTokensAreRequired() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Token Shop")
            let product = try await client.makeProduct(store, title: "Mug", price: 900, stock: 5)
            let slug = try #require(product["slug"] as? String)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let browser = BrowserClient(client)
            let page = try await browser.get("/products/\(slug)", host: store.host)
            let token = try #require(page.csrf)

            for csrf in [nil, "", "forged", String(token.reversed())] {
                let refused = try await browser.post("/cart/add", host: store.host, form: ["product": slug, "variant": variant, "quantity": "1"], csrf: csrf)
                #expect(refused.status == .forbidden)
                #expect(refused.html.contains("This form has expired"))
                #expect(browser.cookie("lp_cart", host: store.host) == nil)
            }
            // A browser with no form cookie at all is refused too, whatever token it sends.
            let stranger = BrowserClient(client)
            #expect(
                try await stranger.post("/cart/add", host: store.host, form: ["product": slug, "variant": variant, "quantity": "1"], csrf: token).status
                    == .forbidden)
            // With the token the same post works.
            let added = try await browser.post("/cart/add", host: store.host, form: ["product": slug, "variant": variant, "quantity": "1"], csrf: token)
            #expect(added.status == .seeOther)
            #expect(browser.cookie("lp_cart", host: store.host) != nil)

            // Admin forms are bound to the session: the anonymous token does not do.
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let before = try await productCount(platform, store)
            let forged = try await browser.post(
                "/admin/products", host: store.host, form: ["title": "Sneaky", "price": "1.00", "status": "active"], csrf: token)
            #expect(forged.status == .forbidden)
            #expect(try await productCount(platform, store) == before)
            let form = try await browser.get("/admin/products/new", host: store.host)
            let created = try await browser.post(
                "/admin/products", host: store.host, form: ["title": "Honest", "price": "1.00", "status": "active", "stock": "1"], csrf: form.csrf)
            #expect(created.status == .seeOther)
            #expect(try await productCount(platform, store) == before + 1)
        }
    }

    @Test("an expired or signed-out admin session sends the browser to the sign-in page and clears the cookie")
    func expiredSessionsAreRefused() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Expiry Shop")
            let tenant = try #require(try await platform.services.directory.tenant(id: store.id))
            let old = try await platform.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                try await StaffSessions(database: database, hasher: platform.services.passwordHasher)
                    .login(email: store.ownerEmail, password: "correct horse battery", now: Date().addingTimeInterval(-StaffSessions.lifetime - 60))
            }
            let browser = BrowserClient(client)
            browser.setCookie("lp_admin", try #require(old).token, host: store.host)
            let page = try await browser.get("/admin", host: store.host)
            #expect(page.status == .seeOther)
            #expect(page.location == "/admin/login")
            #expect(browser.cookie("lp_admin", host: store.host) == nil)

            // Signing out ends the session on the server, not only in the browser.
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let session = try #require(browser.cookie("lp_admin", host: store.host))
            let dashboard = try await browser.get("/admin", host: store.host)
            #expect(dashboard.status == .ok)
            let out = try await browser.post("/admin/logout", host: store.host, form: [:], csrf: dashboard.csrf)
            #expect(out.status == .seeOther)
            browser.setCookie("lp_admin", session, host: store.host)
            #expect(try await browser.get("/admin", host: store.host).location == "/admin/login")
        }
    }

    @Test("a session, cart or customer cookie of one store is refused on another store's host")
    func cookiesStayWithTheirStore() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let first = try await client.makeStore("First Cookie")
            let second = try await client.makeStore("Second Cookie")
            let product = try await client.makeProduct(first, title: "First Only Lamp", price: 2500, stock: 3)
            let slug = try #require(product["slug"] as? String)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: first.host, email: first.ownerEmail)
            let page = try await browser.get("/products/\(slug)", host: first.host)
            _ = try await browser.post("/cart/add", host: first.host, form: ["product": slug, "variant": variant, "quantity": "1"], csrf: page.csrf)
            let register = try await browser.get("/account/register", host: first.host)
            let registered = try await browser.post(
                "/account/register", host: first.host, form: ["email": "shopper@example.test", "password": "long enough password"], csrf: register.csrf)
            #expect(registered.status == .ok)
            #expect(registered.html.contains("Check your e-mail"))
            try await browser.followVerification(platform, store: first, email: "shopper@example.test", password: "long enough password")

            // The same cookie values, presented on the second store's host.
            for name in ["lp_admin", "lp_cart", "lp_customer", "lp_csrf"] {
                browser.setCookie(name, try #require(browser.cookie(name, host: first.host)), host: second.host)
            }
            let admin = try await browser.get("/admin", host: second.host)
            #expect(admin.status == .seeOther)
            #expect(admin.location == "/admin/login")
            let products = try await browser.get("/admin/products", host: second.host)
            #expect(products.location == "/admin/login")
            let cart = try await browser.get("/cart", host: second.host)
            #expect(cart.html.contains("Your cart is empty"))
            #expect(!cart.html.contains("First Only Lamp"))
            let account = try await browser.get("/account", host: second.host)
            #expect(account.location == "/account/login")
            // A form token made for the first store is not valid on the second.
            let second404 = try await browser.post(
                "/cart/add", host: second.host, form: ["product": slug, "variant": variant, "quantity": "1"], csrf: page.csrf)
            #expect(second404.status == .forbidden)
        }
    }

    @Test("over https cookies are __Host- cookies, and a plain-named cookie another subdomain could have planted is ignored")
    func hostPrefixedCookies() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Https Shop")
            let product = try ProductRef(try await client.makeProduct(store, title: "Kite", price: 900, stock: 3))
            let browser = BrowserClient(client)
            let https: HTTPFields = [HTTPField.Name("X-Forwarded-Proto")!: "https"]
            // A cookie without the prefix, as a sibling subdomain could set with Domain=: not read.
            browser.setCookie("lp_csrf", "planted-value-0123456789abcdef", host: store.host)
            let page = try await browser.get("/products/\(product.slug)", host: store.host, headers: https)
            let fresh = try #require(browser.cookie("__Host-lp_csrf", host: store.host))
            #expect(fresh != "planted-value-0123456789abcdef")
            let body = "product=\(product.slug)&variant=\(product.variant)&quantity=1&_csrf=\(BrowserClient.encode(try #require(page.csrf)))"
            let added = try await browser.send(
                .post, "/cart/add", host: store.host, body: .init(string: body), contentType: "application/x-www-form-urlencoded", headers: https)
            #expect(added.status == .seeOther)
            #expect(browser.cookie("__Host-lp_cart", host: store.host) != nil)
            // The token made for the planted value is refused.
            let plain = try await BrowserClient(client).get("/products/\(product.slug)", host: store.host)
            let forged = "product=\(product.slug)&variant=\(product.variant)&quantity=1&_csrf=\(BrowserClient.encode(try #require(plain.csrf)))"
            #expect(
                try await browser.send(
                    .post, "/cart/add", host: store.host, body: .init(string: forged), contentType: "application/x-www-form-urlencoded", headers: https
                ).status == .forbidden)
        }
    }

    @Test("the one-time link from signup signs in once")
    func handoffLinksWorkOnce() async throws {
        try await TestPlatform.withPlatform { _, client in
            let browser = BrowserClient(client)
            let signup = try await browser.get("/signup", host: "localhost")
            let created = try await browser.post(
                "/signup", host: "localhost",
                form: ["storeName": "Handoff Shop", "ownerEmail": "owner@handoff.test", "ownerPassword": "correct horse battery"], csrf: signup.csrf)
            #expect(created.status == .seeOther)
            let location = try #require(created.location)
            let url = try #require(URLComponents(string: location))
            #expect(url.host == "handoff-shop.localhost")
            #expect(url.path == "/admin/handoff")
            let path = url.path + "?" + (url.query ?? "")
            // Opening the link signs nobody in; the page's form does.
            let landing = try await browser.get(path, host: "handoff-shop.localhost")
            #expect(landing.status == .ok)
            #expect(landing.html.contains("owner@handoff.test"))
            #expect(browser.cookie("lp_admin", host: "handoff-shop.localhost") == nil)
            let token = String(try #require(url.queryItems?.first { $0.name == "token" }?.value))
            #expect(try await browser.post("/admin/handoff", host: "handoff-shop.localhost", form: ["token": token], csrf: nil).status == .forbidden)
            let first = try await browser.post("/admin/handoff", host: "handoff-shop.localhost", form: ["token": token], csrf: landing.csrf)
            #expect(first.status == .seeOther)
            #expect(first.location == "/admin?done=welcome")
            #expect(try await browser.get("/admin", host: "handoff-shop.localhost").html.contains("Welcome") == false)
            #expect(try await browser.get("/admin?done=welcome", host: "handoff-shop.localhost").html.contains("Welcome to your new store"))
            let again = BrowserClient(client)
            let page = try await again.get(path, host: "handoff-shop.localhost")
            let second = try await again.post("/admin/handoff", host: "handoff-shop.localhost", form: ["token": token], csrf: page.csrf)
            #expect(second.status == .unauthorized)
            #expect(again.cookie("lp_admin", host: "handoff-shop.localhost") == nil)
        }
    }

    func productCount(_ platform: TestPlatform, _ store: StoreFixture) async throws -> Int {
        let tenant = try #require(try await platform.services.directory.tenant(id: store.id))
        return try await platform.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
            try await StoreUsage.load(from: database).products
        }
    }
}
