import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import LeopardOperations
@testable import LeopardServer

@Suite("Web: admin pages")
struct AdminPageTests {
    @Test("a product with options gets a variant per combination; each variant's price and stock are edited on the form; bad input comes back beside its field")
    func productsWithVariants() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Variant Shop")
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let form = try await browser.get("/admin/products/new", host: store.host)
            let bad = try await browser.post(
                "/admin/products", host: store.host,
                form: ["title": "Tee", "price": "twelve", "stock": "-1", "status": "active", "options": "Size: S, M\nColour: Red, Blue"], csrf: form.csrf)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.html.contains("Price must be an amount like 12.50"))
            #expect(bad.html.contains("Stock must be a whole number, 0 or more"))
            #expect(bad.html.contains("Size: S, M"))
            let created = try await browser.post(
                "/admin/products", host: store.host,
                form: ["title": "Tee", "price": "12.50", "stock": "3", "status": "active", "options": "Size: S, M\nColour: Red, Blue"], csrf: bad.csrf)
            #expect(created.status == .seeOther)
            let edit = try #require(created.location)
            let id = String(try #require(edit.split(separator: "/").last?.split(separator: "?").first))
            let api = try await client.call(.get, "/api/products/\(id)", store: store)
            let variants = try #require(api.json["variants"] as? [[String: Any]])
            #expect(variants.count == 4)
            #expect(variants.allSatisfy { ($0["price"] as? [String: Any])?["amount"] as? Int == 1250 && $0["stock"] as? Int == 3 })

            let page = try await browser.get(edit, host: store.host)
            #expect(page.html.contains("Product created."))
            let first = try #require(variants.first?["id"] as? String)
            var fields: [String: String] = ["title": "Tee", "description": "", "status": "active", "tags": "", "options": "Size: S, M\nColour: Red, Blue"]
            var order: [String] = []
            for variant in variants {
                let vid = try #require(variant["id"] as? String)
                order.append(vid)
                fields["price.\(vid)"] = vid == first ? "15" : "12.50"
                fields["stock.\(vid)"] = vid == first ? "7" : "3"
            }
            // The variant ids are repeated fields; BrowserClient posts a dictionary, so send them by hand.
            let body =
                (fields.map { "\(BrowserClient.encode($0.key))=\(BrowserClient.encode($0.value))" } + order.map { "variant=\($0)" }
                + ["_csrf=\(BrowserClient.encode(try #require(page.csrf)))"]).joined(separator: "&")
            let saved = try await browser.send(
                .post, "/admin/products/\(id)", host: store.host, body: .init(string: body), contentType: "application/x-www-form-urlencoded", headers: [:])
            #expect(saved.status == .seeOther, "\(saved.html.prefix(500))")
            let after = try await client.call(.get, "/api/products/\(id)", store: store)
            let updated = try #require((after.json["variants"] as? [[String: Any]])?.first { $0["id"] as? String == first })
            #expect((updated["price"] as? [String: Any])?["amount"] as? Int == 1500)
            #expect(updated["stock"] as? Int == 7)
        }
    }

    @Test("orders: the list filters by status, and fulfil and cancel go through the orders API's rules")
    func orderActions() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Orders Shop")
            let product = try await client.makeProduct(store, title: "Bowl", price: 2000, stock: 5)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let cart = try await client.makeCart(store, variantID: variant, quantity: 1)
            var body = checkoutBody
            body["paymentMethod"] = "bank_transfer"
            let order = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: body, headers: [.cartSecret: cart.secret])
            let orderID = try #require(order.json["id"] as? String)
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            #expect(try await browser.get("/admin/orders?status=pending", host: store.host).html.contains("/admin/orders/\(orderID)"))
            #expect(!(try await browser.get("/admin/orders?status=paid", host: store.host).html.contains("/admin/orders/\(orderID)")))
            let detail = try await browser.get("/admin/orders/\(orderID)", host: store.host)
            // Fulfilling an unpaid order is refused by the API, and the page says so.
            let refused = try await browser.post("/admin/orders/\(orderID)/fulfil", host: store.host, form: [:], csrf: detail.csrf)
            #expect(refused.status == .conflict)
            #expect(refused.html.contains("notice error"))
            let paid = try await browser.post("/admin/orders/\(orderID)/mark-paid", host: store.host, form: [:], csrf: refused.csrf)
            #expect(paid.status == .seeOther)
            let fulfilled = try await browser.post("/admin/orders/\(orderID)/fulfil", host: store.host, form: [:], csrf: refused.csrf)
            #expect(fulfilled.status == .seeOther)
            let api = try await client.call(.get, "/api/orders/\(orderID)", store: store)
            #expect(api.json["status"] as? String == "fulfilled")
            #expect(try await browser.post("/admin/orders/\(orderID)/explode", host: store.host, form: [:], csrf: refused.csrf).status == .notFound)
        }
    }

    @Test("partial refunds from the admin: an amount and restock, then the rest; a bad amount changes nothing")
    func partialRefunds() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Refund Page Shop")
            let product = try await client.makeProduct(store, title: "Plate", price: 2000, stock: 5)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let cart = try await client.makeCart(store, variantID: variant, quantity: 2)
            var body = checkoutBody
            body["paymentMethod"] = "bank_transfer"
            let order = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: body, headers: [.cartSecret: cart.secret])
            let orderID = try #require(order.json["id"] as? String)
            #expect(try await client.call(.post, "/api/orders/\(orderID)/mark-paid", store: store).status == .ok)
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let detail = try await browser.get("/admin/orders/\(orderID)", host: store.host)
            #expect(detail.html.contains(#"placeholder="40.00""#))
            #expect(!detail.html.contains("Cancel order"), "a paid order is refunded, not cancelled")
            for bad in ["twelve", "-5", "0"] {
                let refused = try await browser.post("/admin/orders/\(orderID)/refund", host: store.host, form: ["amount": bad], csrf: detail.csrf)
                #expect(refused.status == .unprocessableContent, "\(bad)")
            }
            #expect(
                try await browser.post("/admin/orders/\(orderID)/refund", host: store.host, form: ["amount": "45.00"], csrf: detail.csrf).status
                    == .unprocessableContent)
            #expect(try await client.call(.get, "/api/orders/\(orderID)", store: store).json["status"] as? String == "paid")
            // Restocking returns every line: not with part of the money.
            let restocked = try await browser.post(
                "/admin/orders/\(orderID)/refund", host: store.host, form: ["amount": "12.50", "restock": "1"], csrf: detail.csrf)
            #expect(restocked.status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/products/plate", store: store).json["stock"] as? Int == 3)
            let partial = try await browser.post("/admin/orders/\(orderID)/refund", host: store.host, form: ["amount": "12.50"], csrf: detail.csrf)
            #expect(partial.status == .seeOther)
            let after = try await client.call(.get, "/api/orders/\(orderID)", store: store)
            #expect(after.json["status"] as? String == "partially_refunded")
            #expect((after.json["refundedTotal"] as? [String: Any])?["amount"] as? Int == 1250)
            #expect(try await browser.get("/admin/orders/\(orderID)", host: store.host).html.contains(#"placeholder="27.50""#))
            #expect(try await browser.post("/admin/orders/\(orderID)/refund", host: store.host, form: ["restock": "1"], csrf: detail.csrf).status == .seeOther)
            #expect(try await client.call(.get, "/api/products/plate", store: store).json["stock"] as? Int == 5)
            let final = try await client.call(.get, "/api/orders/\(orderID)", store: store)
            #expect(final.json["status"] as? String == "refunded")
            #expect((final.json["refundedTotal"] as? [String: Any])?["amount"] as? Int == 4000)
        }
    }

    @Test("behind https the cookies are Secure; they are always HttpOnly and SameSite=Lax, and never name a domain")
    func cookieAttributes() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Cookie Shop")
            let form = try await client.execute(
                uri: "/admin/login", method: .get, headers: [HTTPField.Name("Host")!: store.host, HTTPField.Name("X-Forwarded-Proto")!: "https"])
            let cookie = try #require(form.headers[values: .setCookie].first)
            #expect(cookie.hasPrefix("__Host-lp_csrf="))
            #expect(cookie.contains("; Secure"))
            #expect(cookie.contains("; HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.lowercased().contains("domain="))
            let plain = try await client.execute(uri: "/admin/login", method: .get, headers: [HTTPField.Name("Host")!: store.host])
            #expect(!(try #require(plain.headers[values: .setCookie].first)).contains("Secure"))
        }
    }
}
