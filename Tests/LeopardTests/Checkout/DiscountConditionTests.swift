import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import LeopardOperations

/// The conditions a discount can set beyond amounts and dates: which products, categories and
/// customers it is for, and how often one shopper may use it; and the `order.expired` event.
@Suite("Discount conditions and expiry events")
struct DiscountConditionTests {
    struct CartBody: Decodable {
        struct Code: Decodable {
            let code: String
            let applied: Bool
            let problem: String?
        }

        struct Item: Decodable {
            let variantId: String
            let discount: Money?
        }

        struct Money: Decodable { let amount: Int }

        let id: String
        let secret: String?
        let items: [Item]
        let discountCodes: [Code]
    }

    struct Problem: Decodable {
        struct Field: Decodable {
            let field: String
            let message: String
        }

        let status: Int
        let errors: [Field]?
    }

    /// A cart of one variant, made by a shopper (signed in with `token`, when given).
    func cart(_ client: some TestClientProtocol, _ store: StoreFixture, variant: String, email: String, token: String? = nil) async throws -> CartBody {
        let made = try await client.call(
            .post, "/api/carts", host: store.host, token: token, json: ["email": email, "items": [["variantId": variant, "quantity": 2]]])
        try #require(made.status == .created, "\(made.text)")
        return try made.decode(CartBody.self)
    }

    func apply(_ client: some TestClientProtocol, _ store: StoreFixture, _ cart: CartBody, code: String, token: String? = nil) async throws -> TestResponse {
        try await client.call(
            .post, "/api/carts/\(cart.id)/discounts", host: store.host, token: token, json: ["code": code], headers: [.cartSecret: cart.secret ?? ""])
    }

    @Test("a code for some products or a category comes off only those lines, and names why when none is in the cart", arguments: TestPlatform.storages)
    func productsAndCategories(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Condition Shop")
            let category = try await client.call(.post, "/api/categories", store: store, json: ["name": "Lamps"])
            let categoryID = try #require(category.json["id"] as? String, "\(category.text)")
            let lamp = try ProductRef(try await client.makeProduct(store, title: "Desk Lamp", price: 1000, stock: 20, extra: ["categoryId": categoryID]))
            let rug = try ProductRef(try await client.makeProduct(store, title: "Rug", price: 2000, stock: 20))
            for body: [String: Any] in [
                ["code": "RUGS", "kind": "percentage", "value": 10, "productIds": [rug.id]],
                ["code": "LAMPS", "kind": "percentage", "value": 10, "categoryIds": [categoryID]],
            ] {
                #expect(try await client.call(.post, "/api/discounts", store: store, json: body).status == .created)
            }
            let lampCart = try await cart(client, store, variant: lamp.variant, email: "a@example.test")
            let refused = try await apply(client, store, lampCart, code: "RUGS")
            #expect(refused.status == .unprocessableContent)
            #expect(try refused.decode(Problem.self).errors?.first?.message == "does not apply to anything in the cart")
            let lamps = try await apply(client, store, lampCart, code: "LAMPS").decode(CartBody.self)
            #expect(lamps.items.first?.discount?.amount == 200, "10 % of 2 × 10.00")

            let rugCart = try await cart(client, store, variant: rug.variant, email: "b@example.test")
            #expect(try await apply(client, store, rugCart, code: "RUGS").status == .ok)
            let added = try await client.call(
                .post, "/api/carts/\(rugCart.id)/items", host: store.host, json: ["variantId": lamp.variant, "quantity": 1],
                headers: [.cartSecret: rugCart.secret ?? ""])
            let both = try added.decode(CartBody.self)
            let off = Dictionary(both.items.map { ($0.variantId, $0.discount?.amount ?? 0) }) { first, _ in first }
            #expect(off == [rug.variant: 400, lamp.variant: 0], "only the rug's line: \(off)")
        }
    }

    @Test("a code for named customers works only signed in as one; a per-customer limit counts by address", arguments: TestPlatform.storages)
    func customersAndLimits(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("VIP Shop")
            let product = try ProductRef(try await client.makeProduct(store, title: "Vase", price: 3000, stock: 50))
            let vip = try await platform.registerCustomer(client, store: store, email: "vip@example.test")
            let unknown = try await client.call(
                .post, "/api/discounts", store: store, json: ["code": "VIP", "kind": "percentage", "value": 20, "customerEmails": ["nobody@example.test"]])
            #expect(unknown.status == .unprocessableContent)
            #expect(try unknown.decode(Problem.self).errors?.map(\.field) == ["customerEmails.0"])
            let created = try await client.call(
                .post, "/api/discounts", store: store, json: ["code": "VIP", "kind": "percentage", "value": 20, "customerEmails": ["VIP@example.test"]])
            #expect(created.status == .created, "\(created.text)")
            #expect((created.json["customerIds"] as? [String])?.count == 1)
            _ = try await platform.registerCustomer(client, store: store, email: "second@example.test")
            let vipID = try #require(created.json["id"] as? String)
            let more = try await client.call(.patch, "/api/discounts/\(vipID)", store: store, json: ["customerEmails": ["second@example.test"]])
            #expect((more.json["customerIds"] as? [String])?.count == 2, "addresses add to the customers named: \(more.text)")
            let ghost = try await client.call(.patch, "/api/discounts/\(vipID)", store: store, json: ["customerIds": ["cus_ghost"]])
            #expect(ghost.status == .unprocessableContent, "an id that is no customer here is refused")

            let guest = try await cart(client, store, variant: product.variant, email: "vip@example.test")
            let asGuest = try await apply(client, store, guest, code: "VIP")
            #expect(try asGuest.decode(Problem.self).errors?.first?.message == "needs you to sign in", "typing their address is not enough")
            let signedIn = try await cart(client, store, variant: product.variant, email: "vip@example.test", token: vip)
            let applied = try await apply(client, store, signedIn, code: "VIP", token: vip)
            #expect(applied.status == .ok, "\(applied.text)")
            #expect(try applied.decode(CartBody.self).discountCodes.first?.applied == true)

            #expect(
                try await client.call(
                    .post, "/api/discounts", store: store, json: ["code": "ONCEEACH", "kind": "percentage", "value": 5, "perCustomerLimit": 1]
                )
                .status == .created)
            var body = checkoutBody
            body["email"] = "once@example.test"
            body["paymentMethod"] = "bank_transfer"
            let first = try await cart(client, store, variant: product.variant, email: "once@example.test")
            #expect(try await apply(client, store, first, code: "ONCEEACH").status == .ok)
            let placed = try await client.call(
                .post, "/api/carts/\(first.id)/checkout", host: store.host, json: body, headers: [.cartSecret: first.secret ?? ""])
            #expect(placed.status == .created, "\(placed.text)")
            let second = try await cart(client, store, variant: product.variant, email: "ONCE@example.test")
            let again = try await apply(client, store, second, code: "ONCEEACH")
            #expect(try again.decode(Problem.self).errors?.first?.message == "has been used as many times as it can be by you")
            let other = try await cart(client, store, variant: product.variant, email: "twice@example.test")
            #expect(try await apply(client, store, other, code: "ONCEEACH").status == .ok, "another shopper still may")
        }
    }

    @Test("an unpaid card order that expires sends order.expired to a listening endpoint", arguments: TestPlatform.storages)
    func expiredEvent(storage: TestPlatform.Storage) async throws {
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            try await TestPlatform.withPlatform(storage) { platform, client in
                let store = try await client.makeStore("Expiry Event Shop")
                let hook = try await client.call(.post, "/api/webhooks", store: store, json: ["url": url, "events": ["order.expired"]])
                try #require(hook.status == .created, "\(hook.text)")
                let endpoint = try #require((hook.json["endpoint"] as? [String: Any])?["id"] as? String)
                let product = try ProductRef(try await client.makeProduct(store, title: "Clock", price: 4000, stock: 2))
                let cart = try await client.makeCart(store, variantID: product.variant, quantity: 1)
                let placed = try await client.call(
                    .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
                let orderID = try #require(placed.json["id"] as? String)
                let later = Date().addingTimeInterval(31 * 60)
                await platform.services.webhookDispatcher.deliverDue(tenantID: store.id, now: { later })
                await platform.services.webhookDispatcher.deliverDue(tenantID: store.id, now: { later })
                #expect(try await client.call(.get, "/api/orders/\(orderID)", store: store).json["status"] as? String == "expired")
                let deliveries = try await client.call(.get, "/api/webhooks/\(endpoint)/deliveries", store: store)
                let rows = try #require(deliveries.json["data"] as? [[String: Any]])
                #expect(rows.compactMap { $0["topic"] as? String } == ["order.expired"], "\(rows)")
                let bodies = await receiver.received.map { String(decoding: $0.body, as: UTF8.self) }
                #expect(bodies.contains { $0.contains("order.expired") && $0.contains(orderID) }, "\(bodies)")
            }
        }
    }
}
