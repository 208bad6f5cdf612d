import Foundation
import HummingbirdTesting
import Testing

/// What staff keep about a customer: tags (which discounts can name), notes, and the record
/// with orders and addresses; none of it reaches the shopper or another store.
@Suite("Customer records: tags, notes, orders")
struct CustomerRecordTests {
    struct Record: Decodable {
        struct Note: Decodable {
            let text: String
            let actor: String
        }

        struct Money: Decodable { let amount: Int }

        struct OrderRow: Decodable {
            let id: String
            let status: String
        }

        let id: String
        let email: String
        let tags: [String]
        let notes: [Note]
        let orderCount: Int?
        let totalSpent: Money?
        let recentOrders: [OrderRow]?
    }

    struct Problem: Decodable {
        struct Field: Decodable { let field: String }
        let errors: [Field]?
    }

    @Test("tags and notes are kept with who wrote them; a tagged customer gets a tag's discount, others do not", arguments: TestPlatform.storages)
    func tagsNotesAndDiscounts(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Record Shop")
            let product = try ProductRef(try await client.makeProduct(store, title: "Teapot", price: 2500, stock: 50))
            let token = try await platform.registerCustomer(client, store: store, email: "ada@example.test")
            let me = try await client.call(.get, "/api/customers/me", host: store.host, token: token)
            let id = try #require(me.json["id"] as? String)
            _ = try await client.checkout(store, variantID: product.variant, email: "ada@example.test", customerToken: token)

            let bad = try await client.call(.patch, "/api/customers/\(id)", store: store, json: ["tags": ["vip", "no<script>"]])
            #expect(bad.status == .unprocessableContent)
            #expect(try bad.decode(Problem.self).errors?.map(\.field) == ["tags.1"])
            let tagged = try await client.call(.patch, "/api/customers/\(id)", store: store, json: ["tags": [" VIP ", "vip", "Wholesale"]])
            #expect(tagged.status == .ok, "\(tagged.text)")
            #expect(try tagged.decode(Record.self).tags == ["vip", "wholesale"])
            let note = try await client.call(.post, "/api/customers/\(id)/notes", store: store, json: ["text": "Prefers morning delivery"])
            #expect(note.status == .created)
            #expect(try await client.call(.post, "/api/customers/\(id)/notes", store: store, json: ["text": "   "]).status == .unprocessableContent)
            let record = try await client.call(.get, "/api/customers/\(id)", store: store).decode(Record.self)
            #expect(record.notes.map(\.text) == ["Prefers morning delivery"] && record.notes.first?.actor.hasPrefix("staff:") == true)
            #expect(record.orderCount == 1 && (record.totalSpent?.amount ?? 0) > 0 && record.recentOrders?.count == 1)

            // The shopper's own view has none of it.
            let own = try await client.call(.get, "/api/customers/me", host: store.host, token: token)
            #expect(own.json["tags"] == nil && own.json["notes"] == nil)
            #expect(try await client.call(.get, "/api/customers/\(id)", host: store.host, token: token).status == .unauthorized)
            let other = try await client.makeStore("Other Record Shop")
            #expect(try await client.call(.get, "/api/customers/\(id)", store: other).status == .notFound)
            #expect(try await client.call(.post, "/api/customers/\(id)/notes", store: other, json: ["text": "x"]).status == .notFound)

            let discount = try await client.call(
                .post, "/api/discounts", store: store, json: ["code": "VIPONLY", "kind": "percentage", "value": 15, "customerTags": ["VIP"]])
            #expect(discount.status == .created, "\(discount.text)")
            #expect(discount.json["customerTags"] as? [String] == ["vip"])
            let mine = try await client.call(
                .post, "/api/carts", host: store.host, token: token, json: ["items": [["variantId": product.variant, "quantity": 1]]])
            let cartID = try #require(mine.json["id"] as? String)
            let secret = try #require(mine.json["secret"] as? String)
            let applied = try await client.call(
                .post, "/api/carts/\(cartID)/discounts", host: store.host, token: token, json: ["code": "VIPONLY"], headers: [.cartSecret: secret])
            #expect(applied.status == .ok, "\(applied.text)")
            let stranger = try await platform.registerCustomer(client, store: store, email: "bob@example.test")
            let theirs = try await client.call(
                .post, "/api/carts", host: store.host, token: stranger, json: ["items": [["variantId": product.variant, "quantity": 1]]])
            let refused = try await client.call(
                .post, "/api/carts/\(try #require(theirs.json["id"] as? String))/discounts", host: store.host, token: stranger, json: ["code": "VIPONLY"],
                headers: [.cartSecret: try #require(theirs.json["secret"] as? String)])
            #expect(refused.status == .unprocessableContent, "an untagged customer: \(refused.text)")

            let role = try await client.call(.post, "/api/roles", store: store, json: ["name": "Service", "permissions": ["customers"]])
            _ = try await client.call(
                .post, "/api/staff", store: store,
                json: ["email": "service@recordshop.test", "password": "service password", "roleId": try #require(role.json["id"] as? String)])
            let service = try #require(
                try await client.call(.post, "/api/auth/login", host: store.host, json: ["email": "service@recordshop.test", "password": "service password"])
                    .json["token"] as? String)
            let limited = try await client.call(.get, "/api/customers/\(id)", host: store.host, token: service)
            #expect(limited.status == .ok && limited.json["recentOrders"] == nil && limited.json["totalSpent"] == nil, "no orders without that permission")
            #expect((limited.json["notes"] as? [Any])?.count == 1)
            let log = try await client.call(.get, "/api/audit-log?action=customer", store: store)
            #expect((log.json["data"] as? [[String: Any]])?.compactMap { $0["action"] as? String } == ["customer.tags_changed"])
        }
    }

    @Test("the admin's customer page shows orders, tags and notes, and saves both")
    func page() async throws {
        try await TestPlatform.withPlatform(.sqlite) { platform, client in
            let store = try await client.makeStore("Customer Page Shop")
            let product = try ProductRef(try await client.makeProduct(store, title: "Bowl", price: 1200, stock: 10))
            let orderID = try await client.checkout(store, variantID: product.variant, email: "guest@example.test")
            let customers = try await client.call(.get, "/api/customers?q=guest", store: store)
            let id = try #require((customers.json["data"] as? [[String: Any]])?.first?["id"] as? String)
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let list = try await browser.get("/admin/customers", host: store.host)
            #expect(list.html.contains("/admin/customers/\(id)"))
            let page = try await browser.get("/admin/customers/\(id)", host: store.host)
            #expect(page.status == .ok && page.html.contains("guest@example.test") && page.html.contains("/admin/orders/\(orderID)"))
            let tags = try await browser.post("/admin/customers/\(id)/tags", host: store.host, form: ["tags": "Wholesale, north"], csrf: page.csrf)
            #expect(tags.status == .seeOther && tags.location == "/admin/customers/\(id)?done=customer-tags")
            let badTags = try await browser.post("/admin/customers/\(id)/tags", host: store.host, form: ["tags": "ok, <b>"], csrf: page.csrf)
            #expect(badTags.status == .unprocessableContent && badTags.html.contains("value=\"ok, &lt;b&gt;\""))
            let noted = try await browser.post("/admin/customers/\(id)/notes", host: store.host, form: ["text": "Called about a late parcel"], csrf: page.csrf)
            #expect(noted.status == .seeOther)
            let after = try await browser.get("/admin/customers/\(id)", host: store.host)
            #expect(after.html.contains("value=\"wholesale, north\"") && after.html.contains("Called about a late parcel"))
            #expect(try await browser.get("/admin/customers/cus_nope", host: store.host).status == .notFound)
        }
    }
}
