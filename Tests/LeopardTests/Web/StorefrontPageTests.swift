import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import LeopardOperations
@testable import LeopardServer

@Suite("Web: storefront, checkout and platform pages")
struct StorefrontPageTests {
    @Test(
        "a shopper buys with the test card: cart, checkout, payment, a paid confirmation, the order in their account and on the dashboard",
        arguments: TestPlatform.storages)
    func buyWithTheTestCard(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Card Shop")
            let product = try await client.makeProduct(store, title: "Teapot", price: 3000, stock: 4)
            let slug = try #require(product["slug"] as? String)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let browser = BrowserClient(client)
            let register = try await browser.get("/account/register", host: store.host)
            _ = try await browser.post(
                "/account/register", host: store.host, form: ["email": "buyer@example.test", "password": "long enough password", "firstName": "Bea"],
                csrf: register.csrf)
            try await browser.followVerification(platform, store: store, email: "buyer@example.test", password: "long enough password")
            let page = try await browser.get("/products/\(slug)", host: store.host)
            #expect(page.html.contains("$30.00"))
            _ = try await browser.post("/cart/add", host: store.host, form: ["product": slug, "variant": variant, "quantity": "2"], csrf: page.csrf)
            let cart = try await browser.get("/cart", host: store.host)
            #expect(cart.html.contains("$60.00"))

            // Bad input: the form comes back with what was typed and a message beside the field.
            let checkout = try await browser.get("/checkout", host: store.host)
            #expect(checkout.html.contains("buyer@example.test"))
            var form = [
                "email": "buyer@example.test", "name": "Bea Buyer", "line1": "2 High St", "city": "Springfield", "postalCode": "", "country": "US",
                "paymentMethod": "card",
            ]
            let wrong = try await browser.post("/checkout", host: store.host, form: form, csrf: checkout.csrf)
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.html.contains("Postal code is required"))
            #expect(wrong.html.contains("value=\"2 High St\""))
            form["postalCode"] = "12345"
            let placed = try await browser.post("/checkout", host: store.host, form: form, csrf: wrong.csrf)
            #expect(placed.status == .seeOther)
            let payURL = try #require(placed.location)
            #expect(payURL.hasPrefix("/checkout/pay?order="))
            let orderID = String(payURL.dropFirst("/checkout/pay?order=".count))

            let payment = try await browser.get(payURL, host: store.host)
            let attempt = try #require(payment.html.range(of: #"name="attempt" value=""#).map { payment.html[$0.upperBound...].prefix { $0 != "\"" } })
            let declined = try await browser.post(
                "/checkout/pay", host: store.host,
                form: ["order": orderID, "attempt": String(attempt), "cardNumber": "4000 0000 0000 0002", "expiry": "12/34", "cvc": "123"], csrf: payment.csrf)
            #expect(declined.status == .unprocessableContent)
            #expect(declined.html.contains("declined"))
            let paid = try await browser.post(
                "/checkout/pay", host: store.host,
                form: ["order": orderID, "attempt": "second-try", "cardNumber": "4242424242424242", "expiry": "12/34", "cvc": "123"], csrf: declined.csrf)
            #expect(paid.status == .seeOther)
            #expect(paid.location == "/orders/\(orderID)")
            let pending = try await browser.get("/orders/\(orderID)", host: store.host)
            #expect(
                pending.html.contains("payment was received") || pending.html.contains(#"http-equiv="refresh""#),
                "\(pending.html.components(separatedBy: "<main")[1].prefix(900))")
            await platform.services.paymentRelay.idle()
            let confirmation = try await browser.get("/orders/\(orderID)", host: store.host)
            #expect(!confirmation.html.contains(#"http-equiv="refresh""#))
            #expect(confirmation.html.contains("payment was received"))
            let account = try await browser.get("/account", host: store.host)
            #expect(account.html.contains("/orders/\(orderID)"))

            // The merchant's dashboard counts it; the operator's console lists the store.
            let owner = BrowserClient(client)
            try await owner.signInToAdmin(host: store.host, email: store.ownerEmail)
            let dashboard = try await owner.get("/admin", host: store.host)
            #expect(dashboard.status == .ok)
            #expect(dashboard.html.contains("$60.00"))
            #expect(try await owner.get("/admin/orders/\(orderID)", host: store.host).html.contains("visa •••• 4242"))
            let console = try await owner.get("/console", host: "localhost")
            _ = try await owner.post("/console/login", host: "localhost", form: ["token": TestPlatform.operatorToken], csrf: console.csrf)
            #expect(try await owner.get("/console", host: "localhost").html.contains("Card Shop"))

            // Someone without the cart's cookie or the account cannot see the order.
            #expect(try await BrowserClient(client).get("/checkout/pay?order=\(orderID)", host: store.host).status == .notFound)
            let stranger = BrowserClient(client)
            #expect(try await stranger.get("/orders/\(orderID)", host: store.host).status == .notFound)
        }
    }

    @Test("a card that asks for an extra step gets a confirmation page; confirming pays the order")
    func extraStep() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Secure Shop")
            let product = try ProductRef(try await client.makeProduct(store, title: "Lamp", price: 4500, stock: 4))
            let browser = BrowserClient(client)
            try await browser.addToCart(product, host: store.host)
            let checkout = try await browser.get("/checkout", host: store.host)
            let placed = try await browser.post(
                "/checkout", host: store.host,
                form: ["email": "s@example.test", "name": "S", "line1": "1 Road", "city": "Town", "postalCode": "1000", "country": "DE"], csrf: checkout.csrf)
            let payURL = try #require(placed.location)
            let orderID = String(payURL.dropFirst("/checkout/pay?order=".count))
            let payment = try await browser.get(payURL, host: store.host)
            let step = try await browser.post(
                "/checkout/pay", host: store.host,
                form: ["order": orderID, "attempt": "a1", "cardNumber": "4000 0025 0000 3155", "expiry": "12/34", "cvc": "123"], csrf: payment.csrf)
            #expect(step.status == .ok)
            #expect(step.html.contains("Confirm your payment"))
            let paymentID = try #require(step.html.range(of: #"name="payment" value=""#).map { String(step.html[$0.upperBound...].prefix { $0 != "\"" }) })
            // The confirmation page does not spin while the shopper has not confirmed.
            #expect(!(try await browser.get("/orders/\(orderID)", host: store.host).html.contains("http-equiv")))
            let confirmed = try await browser.post("/checkout/authenticate", host: store.host, form: ["order": orderID, "payment": paymentID], csrf: step.csrf)
            #expect(confirmed.status == .seeOther)
            await platform.services.paymentRelay.idle()
            #expect(try await browser.get("/orders/\(orderID)", host: store.host).html.contains("payment was received"))
        }
    }

    @Test("cached storefront pages carry each visitor's own form token and cart count, and change with the catalog and settings")
    func cachedPagesArePersonal() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Cache Shop")
            let product = try await client.makeProduct(store, title: "Blue Vase", price: 5000, stock: 9)
            let slug = try #require(product["slug"] as? String)
            let id = try #require(product["id"] as? String)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let first = BrowserClient(client)
            let second = BrowserClient(client)
            let one = try await first.get("/products/\(slug)", host: store.host)
            let two = try await second.get("/products/\(slug)", host: store.host)
            #expect(one.html.contains("Blue Vase") && two.html.contains("Blue Vase"))
            #expect(try #require(one.csrf) != (try #require(two.csrf)))
            #expect(!one.html.contains("lpcsrf") && !one.html.contains("lpcart"))
            // Each visitor's token works for that visitor only.
            #expect(
                try await first.post("/cart/add", host: store.host, form: ["product": slug, "variant": variant, "quantity": "2"], csrf: two.csrf).status
                    == .forbidden)
            #expect(
                try await first.post("/cart/add", host: store.host, form: ["product": slug, "variant": variant, "quantity": "2"], csrf: one.csrf).status
                    == .seeOther)
            let withCart = try await first.get("/products/\(slug)", host: store.host)
            #expect(withCart.html.contains(#"aria-label="2 items in cart">2<"#))
            let withoutCart = try await second.get("/products/\(slug)", host: store.host)
            #expect(withoutCart.html.contains(#"aria-label="0 items in cart">0<"#))

            // A change to the product, or to the store's settings, shows at once.
            #expect(try await client.call(.patch, "/api/products/\(id)", store: store, json: ["title": "Green Vase"]).status == .ok)
            #expect(try await second.get("/products/\(slug)", host: store.host).html.contains("Green Vase"))
            #expect(try await client.call(.patch, "/api/settings", store: store, json: ["name": "Renamed Shop"]).status == .ok)
            #expect(try await second.get("/", host: store.host).html.contains("Renamed Shop"))
        }
    }

    @Test("unknown pages are a friendly 404 page; a suspended store is a 503 page; never JSON")
    func errorPages() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Missing Shop")
            let browser = BrowserClient(client)
            for path in ["/no-such-page", "/products/no-such-product", "/admin/orders/ord_nothing"] {
                let page = try await browser.get(path, host: store.host)
                #expect(page.status == (path.hasPrefix("/admin") ? .seeOther : .notFound))
                if page.status == .notFound {
                    #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                    #expect(page.html.contains("Page not found"))
                }
            }
            let suspend = try await client.execute(uri: "/api/tenants/\(store.id)/suspend", method: .post, headers: .operatorAuth)
            #expect(suspend.status == .ok)
            let resting = try await browser.get("/", host: store.host)
            #expect(resting.status == .serviceUnavailable)
            // The API keeps answering problem+json.
            let api = try await client.call(.get, "/api/store", host: store.host)
            #expect(api.headers[.contentType] == "application/problem+json")
        }
    }

    @Test("the stylesheet is fingerprinted, cached for a year and gzipped; pages are gzipped for clients that accept it")
    func assetsAndCompression() async throws {
        try await TestPlatform.withPlatform { _, client in
            let browser = BrowserClient(client)
            let home = try await browser.get("/", host: "localhost")
            let path = try #require(home.html.range(of: #"/assets/leopard\.[0-9a-f]+\.css"#, options: .regularExpression).map { String(home.html[$0]) })
            let css = try await browser.get(path, host: "localhost", headers: [.acceptEncoding: "gzip, deflate"])
            #expect(css.status == .ok)
            #expect(css.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(css.headers[.contentEncoding] == "gzip")
            #expect(try await browser.get("/assets/leopard.0000000000.css", host: "localhost").status == .notFound)
            let plain = try await browser.get("/signup", host: "localhost")
            #expect(plain.headers[.contentEncoding] == nil)
            #expect(plain.html.contains("<form"))
            let zipped = try await browser.get("/signup", host: "localhost", headers: [.acceptEncoding: "br, gzip;q=0.8"])
            #expect(zipped.headers[.contentEncoding] == "gzip")
            let refused = try await browser.get("/signup", host: "localhost", headers: [.acceptEncoding: "gzip;q=0"])
            #expect(refused.headers[.contentEncoding] == nil)
        }
    }

    @Test("robots.txt, sitemap.xml, canonical links and Open Graph tags name the store's own addresses")
    func searchEngineFiles() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Seo Shop")
            let product = try await client.makeProduct(store, title: "Kettle", price: 4000, stock: 2)
            let slug = try #require(product["slug"] as? String)
            let browser = BrowserClient(client)
            let robots = try await browser.get("/robots.txt", host: store.host)
            #expect(robots.html.contains("Sitemap: http://\(store.host)/sitemap.xml"))
            let sitemap = try await browser.get("/sitemap.xml", host: store.host)
            #expect(sitemap.html.contains("<loc>http://\(store.host)/products/\(slug)</loc>"))
            let page = try await browser.get("/products/\(slug)", host: store.host)
            #expect(page.html.contains(#"<link rel="canonical" href="http://\#(store.host)/products/\#(slug)">"#))
            #expect(page.html.contains(#"<meta property="og:type" content="product">"#))
            #expect(page.html.contains("<title>Kettle · Seo Shop</title>"))
        }
    }

    @Test("signup form errors come back beside their fields, with what was typed")
    func signupErrors() async throws {
        try await TestPlatform.withPlatform { _, client in
            _ = try await client.makeStore("Taken Shop")
            let browser = BrowserClient(client)
            let form = try await browser.get("/signup", host: "localhost")
            let taken = try await browser.post(
                "/signup", host: "localhost",
                form: ["storeName": "Another", "slug": "taken-shop", "ownerEmail": "a@b.test", "ownerPassword": "correct horse battery"], csrf: form.csrf)
            #expect(taken.status == .conflict)
            #expect(taken.html.contains("Address is taken"))
            #expect(taken.html.contains(#"value="Another""#))
            let bad = try await browser.post(
                "/signup", host: "localhost", form: ["storeName": "", "ownerEmail": "nope", "ownerPassword": "short"], csrf: taken.csrf)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.html.contains("Store name is required"))
            #expect(bad.html.contains(#"value="nope""#))
        }
    }

    @Test("the operator console needs the operator token and suspends and restores stores")
    func console() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Console Shop")
            let browser = BrowserClient(client)
            let login = try await browser.get("/console", host: "localhost")
            #expect(login.html.contains("Operator token"))
            let wrong = try await browser.post("/console/login", host: "localhost", form: ["token": "wrong"], csrf: login.csrf)
            #expect(wrong.status == .unauthorized)
            let right = try await browser.post("/console/login", host: "localhost", form: ["token": TestPlatform.operatorToken], csrf: wrong.csrf)
            #expect(right.status == .seeOther)
            let console = try await browser.get("/console", host: "localhost")
            #expect(console.html.contains("Console Shop"))
            let suspended = try await browser.post("/console/stores/\(store.id)/suspend", host: "localhost", form: [:], csrf: console.csrf)
            #expect(suspended.status == .seeOther)
            #expect(try await browser.get("/", host: store.host).status == .serviceUnavailable)
            let again = try await browser.get("/console", host: "localhost")
            _ = try await browser.post("/console/stores/\(store.id)/activate", host: "localhost", form: [:], csrf: again.csrf)
            #expect(try await browser.get("/", host: store.host).status == .ok)
            // A stranger's post with a token from its own page does nothing.
            let stranger = BrowserClient(client)
            let page = try await stranger.get("/console", host: "localhost")
            #expect(try await stranger.post("/console/stores/\(store.id)/suspend", host: "localhost", form: [:], csrf: page.csrf).location == "/console")
            #expect(try await browser.get("/", host: store.host).status == .ok)
        }
    }
}
