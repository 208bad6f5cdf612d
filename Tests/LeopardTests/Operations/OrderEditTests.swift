import Foundation
import HummingbirdTesting
import LeopardCore
import LeopardPayments
import Testing

/// Editing an order before it ships: quantities, removed and added lines, priced by the one
/// calculation with the order's discounts, stock moved in the same transaction, a preview that
/// changes nothing, and a paid order that may only get cheaper.
@Suite("Order edits")
struct OrderEditTests {
    struct Money: Decodable { let amount: Int }

    struct Line: Decodable {
        let id: String
        let variantId: String
        let quantity: Int
        let unitPrice: Money
    }

    struct Order: Decodable {
        let id: String
        let status: String
        let lines: [Line]
        let total: Money
        let discount: Money
    }

    struct Outcome: Decodable {
        let order: Order
        let previousTotal: Money
        let difference: Money
        let refundDue: Money?
        let saved: Bool
    }

    struct Shop {
        let store: StoreFixture
        let mug: ProductRef
        let plate: ProductRef
        let bowl: ProductRef
    }

    func shop(_ client: some TestClientProtocol, _ name: String) async throws -> Shop {
        let store = try await client.makeStore(name)
        let mug = try ProductRef(try await client.makeProduct(store, title: "Mug", price: 1200, stock: 10))
        let plate = try ProductRef(try await client.makeProduct(store, title: "Plate", price: 2500, stock: 10))
        let bowl = try ProductRef(try await client.makeProduct(store, title: "Bowl", price: 900, stock: 3))
        return Shop(store: store, mug: mug, plate: plate, bowl: bowl)
    }

    /// An order of 2 mugs and a plate with a 10 % code, by bank transfer (waiting for payment).
    func order(_ client: some TestClientProtocol, _ shop: Shop) async throws -> Order {
        _ = try await client.call(.post, "/api/discounts", store: shop.store, json: ["code": "TEN", "kind": "percentage", "value": 10])
        let cart = try await client.call(
            .post, "/api/carts", store: shop.store, staff: false,
            json: ["items": [["variantId": shop.mug.variant, "quantity": 2], ["variantId": shop.plate.variant, "quantity": 1]]])
        let cartID = try #require(cart.json["id"] as? String)
        let secret = try #require(cart.json["secret"] as? String)
        _ = try await client.call(
            .post, "/api/carts/\(cartID)/discounts", store: shop.store, staff: false, json: ["code": "TEN"], headers: [.cartSecret: secret])
        var body = checkoutBody
        body["paymentMethod"] = "bank_transfer"
        let placed = try await client.call(.post, "/api/carts/\(cartID)/checkout", store: shop.store, staff: false, json: body, headers: [.cartSecret: secret])
        try #require(placed.status == .created, "\(placed.text)")
        return try placed.decode(Order.self)
    }

    func stock(_ client: some TestClientProtocol, _ shop: Shop, _ product: ProductRef) async throws -> Int? {
        try await client.call(.get, "/api/products/\(product.id)", store: shop.store).json["stock"] as? Int
    }

    @Test("an unpaid order is re-priced with its discount; a preview changes nothing; stock follows", arguments: TestPlatform.storages)
    func unpaid(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let shop = try await shop(client, "Edit Shop")
            let placed = try await order(client, shop)
            #expect(placed.total.amount == 4410, "(2 × 12.00 + 25.00) less 10 %")
            let mugLine = try #require(placed.lines.first { $0.variantId == shop.mug.variant })
            let body: [String: Any] = [
                "lines": [["lineId": mugLine.id, "quantity": 1]], "add": [["variantId": shop.bowl.variant, "quantity": 2]],
            ]
            let preview = try await client.call(.post, "/api/orders/\(placed.id)/edits?preview=true", store: shop.store, json: body)
            #expect(preview.status == .ok, "\(preview.text)")
            let previewed = try preview.decode(Outcome.self)
            // 12.00 + 25.00 + 2 × 9.00 = 55.00, less 10 % = 49.50.
            #expect(!previewed.saved && previewed.order.total.amount == 4950 && previewed.difference.amount == 540)
            let unchanged = try await client.call(.get, "/api/orders/\(placed.id)", store: shop.store).decode(Order.self)
            #expect(unchanged.total.amount == 4410 && unchanged.lines.count == 2, "a preview changes nothing")
            #expect(try await stock(client, shop, shop.bowl) == 3)

            let hook = try await client.call(.post, "/api/webhooks", store: shop.store, json: ["url": "http://127.0.0.1:9/hook", "events": ["order.edited"]])
            let endpoint = try #require((hook.json["endpoint"] as? [String: Any])?["id"] as? String, "\(hook.text)")
            let saved = try await client.call(.post, "/api/orders/\(placed.id)/edits", store: shop.store, json: body).decode(Outcome.self)
            #expect(saved.saved && saved.order.total.amount == 4950 && saved.order.discount.amount == 550)
            #expect(saved.order.lines.map(\.quantity).sorted() == [1, 1, 2] && saved.refundDue == nil)
            #expect(try await stock(client, shop, shop.mug) == 9, "one mug back")
            #expect(try await stock(client, shop, shop.bowl) == 1, "two bowls taken")
            let read = try await client.call(.get, "/api/orders/\(placed.id)", store: shop.store)
            #expect(
                (read.json["events"] as? [[String: Any]])?.contains { ($0["message"] as? String)?.hasPrefix("Edited: Mug 2 → 1, added 2 × Bowl") == true }
                    == true)
            let log = try await client.call(.get, "/api/audit-log?action=order.edited", store: shop.store)
            #expect((log.json["data"] as? [Any])?.count == 1)
            let deliveries = try await client.call(.get, "/api/webhooks/\(endpoint)/deliveries", store: shop.store)
            #expect((deliveries.json["data"] as? [[String: Any]])?.compactMap { $0["topic"] as? String } == ["order.edited"], "only the save, not the preview")
            let mails = try await platform.mail(to: "shopper@example.test", store: shop.store)
            let changed = try #require(mails.first { $0.subject.hasSuffix("was changed") }, "\(mails.map(\.subject))")
            #expect(changed.text.contains("$49.50") && changed.text.contains("Bowl"), "the customer hears of the change, with the new total")
        }
    }

    @Test("bad edits are refused with the field named and change nothing")
    func refused() async throws {
        try await TestPlatform.withPlatform(.sqlite) { _, client in
            let shop = try await shop(client, "Refuse Edit Shop")
            let placed = try await order(client, shop)
            let mugLine = try #require(placed.lines.first { $0.variantId == shop.mug.variant })
            let cases: [([String: Any], Int)] = [
                (["lines": [["lineId": "line_nope", "quantity": 1]]], 422),
                (["lines": [["lineId": mugLine.id, "quantity": -1]]], 422),
                (["add": [["variantId": shop.mug.variant, "quantity": 1]]], 422),
                (["lines": placed.lines.map { ["lineId": $0.id, "quantity": 0] }], 422),
                ([:], 422),
                (["add": [["variantId": shop.bowl.variant, "quantity": 4]]], 409),
            ]
            for (body, status) in cases {
                let response = try await client.call(.post, "/api/orders/\(placed.id)/edits", store: shop.store, json: body)
                #expect(Int(response.status.code) == status, "\(body): \(response.text)")
            }
            let after = try await client.call(.get, "/api/orders/\(placed.id)", store: shop.store).decode(Order.self)
            #expect(after.total.amount == placed.total.amount && after.lines.count == 2)
            let bowls = try await stock(client, shop, shop.bowl)
            let mugs = try await stock(client, shop, shop.mug)
            #expect(bowls == 3 && mugs == 8)
            let other = try await client.makeStore("Other Edit Shop")
            #expect(
                try await client.call(.post, "/api/orders/\(placed.id)/edits", store: other, json: ["lines": [["lineId": mugLine.id, "quantity": 1]]])
                    .status == .notFound)
            #expect(
                try await client.call(
                    .post, "/api/orders/\(placed.id)/edits", store: shop.store, staff: false, json: ["lines": [["lineId": mugLine.id, "quantity": 1]]]
                ).status == .unauthorized)
        }
    }

    @Test("a paid order may only get cheaper, says what to refund, and cannot change once shipped", arguments: TestPlatform.storages)
    func paid(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let shop = try await shop(client, "Paid Edit Shop")
            let placed = try await order(client, shop)
            #expect(try await client.call(.post, "/api/orders/\(placed.id)/mark-paid", store: shop.store, json: [:]).status == .ok)
            let plateLine = try #require(placed.lines.first { $0.variantId == shop.plate.variant })
            let dearer = try await client.call(
                .post, "/api/orders/\(placed.id)/edits", store: shop.store, json: ["add": [["variantId": shop.bowl.variant, "quantity": 1]]])
            #expect(dearer.status == .conflict && dearer.text.contains("draft order"))
            let cheaper = try await client.call(
                .post, "/api/orders/\(placed.id)/edits", store: shop.store, json: ["lines": [["lineId": plateLine.id, "quantity": 0]]])
            let outcome = try cheaper.decode(Outcome.self)
            #expect(outcome.order.total.amount == 2160 && outcome.refundDue?.amount == 2250, "25.00 less its 10 %")
            #expect(outcome.order.status == "paid")
            let refund = try await client.call(.post, "/api/orders/\(placed.id)/refunds", store: shop.store, json: ["amount": 2250])
            #expect(refund.status == .created, "\(refund.text)")
            let refunded = try await client.call(
                .post, "/api/orders/\(placed.id)/edits", store: shop.store,
                json: ["lines": [["lineId": try #require(outcome.order.lines.first?.id), "quantity": 1]]])
            #expect(refunded.status == .conflict, "refunded: no more edits")

            let second = try await order(client, shop)
            #expect(try await client.call(.post, "/api/orders/\(second.id)/mark-paid", store: shop.store, json: [:]).status == .ok)
            #expect(try await client.call(.post, "/api/orders/\(second.id)/fulfill", store: shop.store, json: [:]).status == .ok)
            let shipped = try await client.call(
                .post, "/api/orders/\(second.id)/edits", store: shop.store, json: ["lines": [["lineId": try #require(second.lines.first?.id), "quantity": 1]]])
            #expect(shipped.status == .conflict)
        }
    }

    @Test("in the admin: the order links to its edit page, which previews and then saves")
    func adminPage() async throws {
        try await TestPlatform.withPlatform(.sqlite) { _, client in
            let shop = try await shop(client, "Admin Edit Shop")
            let placed = try await order(client, shop)
            let mugLine = try #require(placed.lines.first { $0.variantId == shop.mug.variant })
            let plateLine = try #require(placed.lines.first { $0.variantId == shop.plate.variant })
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store(shop), email: shop.store.ownerEmail)
            #expect(try await browser.get("/admin/orders/\(placed.id)", host: store(shop)).html.contains("/admin/orders/\(placed.id)/edit"))
            let page = try await browser.get("/admin/orders/\(placed.id)/edit", host: store(shop))
            #expect(page.status == .ok && page.html.contains("Bowl") && page.html.contains("name=\"qty_\(mugLine.id)\""))
            let form = [
                "qty_\(mugLine.id)": "3", "qty_\(plateLine.id)": "1", "addVariant": shop.bowl.variant, "addQuantity": "1", "mode": "preview",
            ]
            let preview = try await browser.post("/admin/orders/\(placed.id)/edit", host: store(shop), form: form, csrf: page.csrf)
            // 3 × 12.00 + 25.00 + 9.00 = 70.00, less 10 % = 63.00: 18.90 more than 44.10.
            #expect(preview.status == .ok && preview.html.contains("After the edit") && preview.html.contains("goes up by $18.90"))
            #expect(try await client.call(.get, "/api/orders/\(placed.id)", store: shop.store).decode(Order.self).total.amount == 4410)
            var save = form
            save["mode"] = "save"
            let saved = try await browser.post("/admin/orders/\(placed.id)/edit", host: store(shop), form: save, csrf: preview.csrf)
            #expect(saved.status == .seeOther && saved.location == "/admin/orders/\(placed.id)?done=edited")
            #expect(try await client.call(.get, "/api/orders/\(placed.id)", store: shop.store).decode(Order.self).total.amount == 6300)
            let bad = try await browser.post(
                "/admin/orders/\(placed.id)/edit", host: store(shop), form: ["qty_\(mugLine.id)": "lots", "mode": "save"], csrf: preview.csrf)
            #expect(bad.status == .unprocessableContent && bad.html.contains("Enter a whole number"))
        }
    }

    func store(_ shop: Shop) -> String { shop.store.host }

    @Test("a payment asked for at the old total is refused once the order was edited; a changed discount or a stale preview stops an edit")
    func races() async throws {
        try await TestPlatform.withPlatform(.sqlite) { platform, client in
            let shop = try await shop(client, "Race Edit Shop")
            let placed = try await order(client, shop)
            let mugLine = try #require(placed.lines.first { $0.variantId == shop.mug.variant })
            let stale = try await client.call(
                .post, "/api/orders/\(placed.id)/edits", store: shop.store, json: ["lines": [["lineId": mugLine.id, "quantity": 1]], "expectedTotal": 1])
            #expect(stale.status == .conflict && stale.text.contains("Preview again"), "a save that differs from its preview")
            #expect(
                try await client.call(
                    .post, "/api/orders/\(placed.id)/edits?preview=yes", store: shop.store, json: ["lines": [["lineId": mugLine.id, "quantity": 1]]]
                )
                .status == .unprocessableContent)
            let edited = try await client.call(
                .post, "/api/orders/\(placed.id)/edits", store: shop.store, json: ["lines": [["lineId": mugLine.id, "quantity": 1]]])
            #expect(try edited.decode(Outcome.self).order.total.amount == 3330)
            // A payment the provider took at the total before the edit.
            let refused = try await platform.withStoreDatabase(shop.store) { database -> Bool in
                let start = Payments.Start(
                    orderID: placed.id, provider: "test", reference: "pi_race", status: .authorized, cardBrand: nil, cardLast4: nil, nextAction: nil,
                    failureMessage: nil)
                do {
                    _ = try await Payments(database: database).record(start, amount: LeopardCore.Money(amount: 4410, currency: "USD"))
                    return false
                } catch let problem as Problem {
                    return problem.status == 409
                }
            }
            #expect(refused, "the old total is not recorded as paid")

            let discounts = try #require(try await client.call(.get, "/api/discounts", store: shop.store).json["data"] as? [[String: Any]])
            let ten = try #require(discounts.first?["id"] as? String)
            #expect(try await client.call(.patch, "/api/discounts/\(ten)", store: shop.store, json: ["value": 50]).status == .ok)
            let changed = try await client.call(
                .post, "/api/orders/\(placed.id)/edits", store: shop.store, json: ["lines": [["lineId": mugLine.id, "quantity": 2]]])
            #expect(changed.status == .conflict && changed.text.contains("changed or was deleted"), "\(changed.text)")
        }
    }
}
