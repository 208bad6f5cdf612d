import Foundation
import HummingbirdTesting
import LeopardCore
import Testing

@testable import LeopardServer

/// Draft orders with lines that are not in the catalog: priced and taxed by their own class,
/// shipped and returned like any line, and never touching stock.
@Suite("Draft orders with custom lines")
struct DraftCustomLineTests {
    static let address: [String: String] = ["name": "Wholesale Ltd", "line1": "2 Dock Rd", "city": "Leeds", "postalCode": "LS1 1AA", "country": "GB"]

    /// Chair (15000, stock 3) × 1, Assembly (4000, tax exempt) × 1, Setup (2500) × 2, at a 10 %
    /// flat tax.
    static func draft(_ client: some TestClientProtocol, _ store: StoreFixture) async throws -> (draft: [String: Any], chair: String) {
        let chair = try ProductRef(try await client.makeProduct(store, title: "Chair", price: 15000, stock: 3)).variant
        let settings = try await client.call(.put, "/api/settings", store: store, json: ["taxRate": 10])
        try #require(settings.status == .ok, "\(settings.text)")
        let made = try await client.call(
            .post, "/api/draft-orders", store: store,
            json: [
                "email": "buyer@example.test", "lines": [["variantId": chair, "quantity": 1]], "shippingAddress": address,
                "customLines": [
                    ["title": "Assembly", "unitPrice": 4000, "quantity": 1, "taxClass": "exempt"],
                    ["title": "Setup", "unitPrice": ["amount": 2500], "quantity": 2],
                ],
            ])
        try #require(made.status == .created, "\(made.text)")
        return (made.json, chair)
    }

    static func stock(_ client: some TestClientProtocol, _ store: StoreFixture, variant: String) async throws -> Int? {
        let products = try await client.call(.get, "/api/products?limit=100", store: store)
        let variants = (products.json["data"] as? [[String: Any]] ?? []).flatMap { ($0["variants"] as? [[String: Any]]) ?? [] }
        return variants.first { $0["id"] as? String == variant }?["stock"] as? Int
    }

    static func amount(_ value: Any?) -> Int? { (value as? [String: Any])?["amount"] as? Int }

    @Test("bad custom lines name their fields and make nothing; a shopper's cart takes none", arguments: TestPlatform.storages)
    func refusals(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Custom Refusal Shop")
            let bad: [[String: Any]] = [
                ["title": "  ", "unitPrice": 100, "quantity": 1],
                ["title": "Fee\u{7}", "unitPrice": 100, "quantity": 1],
                ["title": "Fee", "unitPrice": -1, "quantity": 1],
                ["title": "Fee", "unitPrice": ["amount": 100, "currency": "EUR"], "quantity": 1],
                ["title": "Fee", "unitPrice": 100, "quantity": 0],
                ["title": "Fee", "unitPrice": 100, "quantity": 1, "taxClass": "luxury"],
                ["title": "Fee", "unitPrice": 100, "quantity": 1, "weightGrams": -5],
                ["title": "Fee\u{202E}", "unitPrice": 100, "quantity": 1],
                ["title": "Gold bar", "unitPrice": 1_000_000_000_000, "quantity": 10000],
            ]
            let refused = try await client.call(
                .post, "/api/draft-orders", store: store,
                json: ["email": "buyer@example.test", "lines": [], "shippingAddress": Self.address, "customLines": bad])
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(
                refused.errorFields.sorted() == [
                    "customLines.0.title", "customLines.1.title", "customLines.2.unitPrice.amount", "customLines.3.unitPrice.currency",
                    "customLines.4.quantity", "customLines.5.taxClass", "customLines.6.weightGrams", "customLines.7.title", "customLines.8.quantity",
                ])
            let nul = try await client.call(
                .post, "/api/draft-orders", store: store,
                json: [
                    "email": "buyer@example.test", "lines": [], "shippingAddress": Self.address,
                    "customLines": [["title": "Fee\u{0}", "unitPrice": 1, "quantity": 1]],
                ])
            #expect(nul.status == .unprocessableContent && nul.errorFields == ["customLines.0.title"], "\(nul.text)")
            let empty = try await client.call(
                .post, "/api/draft-orders", store: store,
                json: ["email": "buyer@example.test", "lines": [], "shippingAddress": Self.address, "customLines": []])
            #expect(empty.errorFields == ["lines"])
            #expect((try await client.call(.get, "/api/draft-orders", store: store).json["data"] as? [Any])?.isEmpty == true, "nothing was made")
            // The cart API has no custom lines: a shopper cannot name their own price.
            let cart = try await client.call(
                .post, "/api/carts", store: store, staff: false, json: ["customLines": [["title": "Free TV", "unitPrice": 0, "quantity": 1]]])
            #expect(cart.status == .created)
            #expect((cart.json["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("custom lines are priced, taxed by class, paid, shipped and returned without moving stock", arguments: TestPlatform.storages)
    func lifecycle(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Custom Line Shop")
            let (draft, chair) = try await Self.draft(client, store)
            let cart = try #require(draft["cart"] as? [String: Any])
            let items = try #require(cart["items"] as? [[String: Any]])
            #expect(items.map { $0["title"] as? String } == ["Chair", "Assembly", "Setup"])
            #expect(items.map { $0["custom"] as? Bool } == [false, true, true])
            #expect(items.last?["variantId"] as? String == "")
            #expect(Self.amount(cart["subtotal"]) == 24000)
            #expect(Self.amount(cart["tax"]) == 2000, "10 % of 15000 + 5000; the exempt assembly pays none")

            let draftID = try #require(draft["id"] as? String)
            let completed = try await client.call(.post, "/api/draft-orders/\(draftID)/complete", store: store, json: ["markPaid": true])
            #expect(completed.status == .created, "\(completed.text)")
            #expect(Self.amount(completed.json["total"]) == Self.amount(cart["total"]))
            let orderID = try #require(completed.json["id"] as? String)
            let lines = try #require(completed.json["lines"] as? [[String: Any]])
            #expect(lines.map { $0["custom"] as? Bool } == [false, true, true])
            #expect(lines.filter { $0["custom"] as? Bool == true }.allSatisfy { $0["productId"] as? String == "" && $0["variantId"] as? String == "" })
            #expect(try await Self.stock(client, store, variant: chair) == 2, "only the chair took stock")

            let setup = try #require(lines.last?["id"] as? String)
            let shipped = try await client.call(.post, "/api/orders/\(orderID)/fulfillments", store: store, json: ["carrier": "DHL", "trackingNumber": "C1"])
            #expect(shipped.json["status"] as? String == "fulfilled", "\(shipped.text)")
            let returned = try await client.call(
                .post, "/api/orders/\(orderID)/returns", store: store, json: ["lines": [["lineId": setup, "quantity": 1]], "restock": true])
            #expect(returned.status == .created, "\(returned.text)")
            #expect(returned.json["status"] as? String == "partially_returned")
            let entry = try #require((returned.json["returns"] as? [[String: Any]])?.first)
            #expect(Self.amount(entry["amount"]) == 2750, "one setup with its 10 % tax")
            let refund = try await client.call(
                .post, "/api/orders/\(orderID)/refunds", store: store, json: ["returnId": try #require(entry["id"] as? String)])
            #expect(refund.status == .created, "\(refund.text)")
            #expect(try await Self.stock(client, store, variant: chair) == 2, "a custom line puts nothing back")
            let history = try await client.call(.get, "/api/inventory/adjustments?limit=100", store: store)
            #expect((history.json["data"] as? [[String: Any]])?.allSatisfy { $0["variantId"] as? String == chair } == true, "\(history.text)")
        }
    }

    @Test("an unpaid order's custom line is edited with the tax class it was sold with", arguments: TestPlatform.storages)
    func edit(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Custom Edit Shop")
            let (draft, _) = try await Self.draft(client, store)
            let draftID = try #require(draft["id"] as? String)
            let placed = try await client.call(.post, "/api/draft-orders/\(draftID)/complete", store: store, json: ["paymentMethod": "bank_transfer"])
            #expect(placed.json["status"] as? String == "pending", "\(placed.text)")
            let orderID = try #require(placed.json["id"] as? String)
            let lines = try #require(placed.json["lines"] as? [[String: Any]])
            let (assembly, setup) = (try #require(lines[1]["id"] as? String), try #require(lines[2]["id"] as? String))
            let edited = try await client.call(
                .post, "/api/orders/\(orderID)/edits", store: store, json: ["lines": [["lineId": setup, "quantity": 1], ["lineId": assembly, "quantity": 2]]])
            #expect(edited.status == .ok, "\(edited.text)")
            // Setup 2 → 1 takes 2500 and its 250 tax off; a second exempt assembly adds 4000.
            #expect(Self.amount(edited.json["difference"]) == 1250)
            let order = try #require(edited.json["order"] as? [String: Any])
            #expect(Self.amount(order["tax"]) == 1750)
        }
    }
}
