import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import LeopardOperations

/// Unpaid card orders give their stock back when the store's reservation time is over; manual
/// methods keep theirs, and a card payment under way is waited for.
@Suite("Expiring reservations")
struct ReservationTests {
    @Test("an unpaid card order expires after the reservation: stock and discount use come back, payment is refused", arguments: TestPlatform.storages)
    func expires(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Reservation Shop")
            #expect(try await client.call(.put, "/api/settings", store: store, json: ["reservationMinutes": 15]).json["reservationMinutes"] as? Int == 15)
            #expect(try await client.call(.put, "/api/settings", store: store, json: ["reservationMinutes": 1]).status == .unprocessableContent)
            let product = try ProductRef(try await client.makeProduct(store, title: "Last Lamp", price: 5000, stock: 3))
            let code = try await client.call(.post, "/api/discounts", store: store, json: ["code": "ONCE", "kind": "fixed", "value": 500, "usageLimit": 1])
            let discountID = try #require(code.json["id"] as? String)
            let cart = try await client.makeCart(store, variantID: product.variant, quantity: 2)
            _ = try await client.call(
                .post, "/api/carts/\(cart.id)/discounts", store: store, staff: false, json: ["code": "ONCE"], headers: [.cartSecret: cart.secret])
            let placed = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
            let orderID = try #require(placed.json["id"] as? String)
            #expect(placed.json["expiresAt"] is String)
            var manualBody = checkoutBody
            manualBody["paymentMethod"] = "bank_transfer"
            let manualCart = try await client.makeCart(store, variantID: product.variant, quantity: 1)
            let manual = try await client.call(
                .post, "/api/carts/\(manualCart.id)/checkout", store: store, staff: false, json: manualBody, headers: [.cartSecret: manualCart.secret])
            let manualID = try #require(manual.json["id"] as? String)
            #expect(manual.json["expiresAt"] == nil, "manual methods keep their stock until cancelled")
            #expect(try await client.call(.get, "/api/products/\(product.id)", store: store).json["stock"] as? Int == 0)

            // Not yet: 14 minutes on.
            await platform.services.webhookDispatcher.deliverDue(tenantID: store.id, now: { Date().addingTimeInterval(14 * 60) })
            #expect(try await client.call(.get, "/api/orders/\(orderID)", store: store).json["status"] as? String == "pending")
            try await platform.services.usage.flush()
            await platform.services.webhookDispatcher.deliverDue(tenantID: store.id, now: { Date().addingTimeInterval(16 * 60) })
            #expect(try await platform.services.usage.flush() == [store.id], "no request came, yet the expiry asks for the store's sales to be rolled up")
            let expired = try await client.call(.get, "/api/orders/\(orderID)", store: store)
            #expect(expired.json["status"] as? String == "expired")
            #expect((expired.json["events"] as? [[String: Any]])?.contains { $0["type"] as? String == "expired" } == true)
            #expect(try await client.call(.get, "/api/orders/\(manualID)", store: store).json["status"] as? String == "pending")
            #expect(try await client.call(.get, "/api/products/\(product.id)", store: store).json["stock"] as? Int == 2, "the card order's two came back")
            #expect(try await client.call(.get, "/api/discounts/\(discountID)", store: store).json["timesUsed"] as? Int == 0)
            let late = try await client.call(
                .post, "/api/orders/\(orderID)/pay", store: store, staff: false, json: PaymentFlowTests.card("4242424242424242"),
                headers: [.cartSecret: cart.secret])
            #expect(late.status == .conflict, "\(late.text)")
        }
    }

    @Test("a card payment waiting for the bank holds the order for half an hour, not forever; the shopper's page says it expired")
    func paymentUnderWay() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Reservation 3DS")
            _ = try await client.call(.put, "/api/settings", store: store, json: ["reservationMinutes": 5])
            let product = try ProductRef(try await client.makeProduct(store, title: "Vase", price: 3000, stock: 2))
            let cart = try await client.makeCart(store, variantID: product.variant, quantity: 1)
            let placed = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
            let orderID = try #require(placed.json["id"] as? String)
            let pending = try await client.call(
                .post, "/api/orders/\(orderID)/pay", store: store, staff: false, json: PaymentFlowTests.card("4000002500003155"),
                headers: [.cartSecret: cart.secret])
            #expect(pending.json["status"] as? String == "requires_action", "\(pending.text)")
            await platform.services.webhookDispatcher.deliverDue(tenantID: store.id, now: { Date().addingTimeInterval(6 * 60) })
            #expect(try await client.call(.get, "/api/orders/\(orderID)", store: store).json["status"] as? String == "pending", "the bank's step is recent")
            // Abandoned for more than half an hour: the payment is cancelled with the order.
            await platform.services.webhookDispatcher.deliverDue(tenantID: store.id, now: { Date().addingTimeInterval(60 * 60) })
            #expect(try await client.call(.get, "/api/orders/\(orderID)", store: store).json["status"] as? String == "expired")
            let payments = try await client.call(.get, "/api/orders/\(orderID)/payments", store: store)
            #expect((payments.json["data"] as? [[String: Any]])?.first?["status"] as? String == "cancelled")

            let other = try await client.makeCart(store, variantID: product.variant, quantity: 1)
            let browser = BrowserClient(client)
            browser.setCookie("lp_cart", "\(other.id).\(other.secret)", host: store.host)
            let second = try await client.call(
                .post, "/api/carts/\(other.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: other.secret])
            let secondID = try #require(second.json["id"] as? String)
            await platform.services.webhookDispatcher.deliverDue(tenantID: store.id, now: { Date().addingTimeInterval(60 * 60) })
            let page = try await browser.get("/orders/\(secondID)", host: store.host)
            #expect(page.html.contains("This order was not paid in time"), "\(page.status)")
        }
    }
}
