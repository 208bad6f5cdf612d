import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardPayments
import NIOCore
import Testing

@testable import LeopardOperations
@testable import LeopardServer

@Suite("Payments with the Stripe provider (recorded exchanges on a local server)")
struct StripeProviderTests {
    static let webhookSecret = "whsec_leopardtest0123456789"

    /// A store with Stripe set up and a pending order of 2 × 2500.
    func stripeStore(_ client: some TestClientProtocol, _ name: String) async throws -> (StoreFixture, order: String, total: Int) {
        let store = try await client.makeStore(name)
        let keys = try await client.call(
            .put, "/api/payment-providers/stripe", store: store,
            json: ["secretKey": StripeTestServer.secretKey, "webhookSecret": Self.webhookSecret, "publishableKey": "pk_test_51Leopard"])
        try #require(keys.status == .ok, "\(keys.text)")
        let order = try await newOrder(client, store)
        return (store, order.id, order.total)
    }

    func newOrder(_ client: some TestClientProtocol, _ store: StoreFixture) async throws -> (id: String, total: Int) {
        let product = try await client.makeProduct(store, title: "Espresso cup \(UUID().uuidString.prefix(6))", price: 2500, stock: 100)
        let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
        let cart = try await client.makeCart(store, variantID: variant, quantity: 2)
        let order = try await client.call(
            .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
        try #require(order.status == .created)
        #expect((order.json["payment"] as? [String: Any])?["provider"] as? String == "stripe", "the checkout names the store's card provider")
        return (try #require(order.json["id"] as? String), try #require((order.json["total"] as? [String: Any])?["amount"] as? Int))
    }

    func signed(_ client: some TestClientProtocol, _ store: StoreFixture, _ event: String, secret: String = webhookSecret) async throws -> TestResponse {
        let header = WebhookSignature.header(for: Data(event.utf8), secret: secret)
        return try await client.call(.post, "/webhooks/payments/stripe", host: store.host, raw: event, headers: [HTTPField.Name("Stripe-Signature")!: header])
    }

    @Test("keys are checked, sealed at rest and never shown; the store's card payments then go to Stripe")
    func keys() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Stripe Keys Shop")
            #expect(try await client.call(.post, "/webhooks/payments/stripe", host: store.host, raw: "{}").status == .notFound, "not set up yet")
            let bad = try await client.call(.put, "/api/payment-providers/stripe", store: store, json: ["secretKey": "pk_live_oops", "webhookSecret": "nope"])
            #expect(bad.status == .unprocessableContent)
            #expect(Set(bad.errorFields) == ["secretKey", "webhookSecret"])
            #expect(
                try await client.call(
                    .put, "/api/payment-providers/stripe", store: store, staff: false,
                    json: ["secretKey": StripeTestServer.secretKey, "webhookSecret": Self.webhookSecret]
                ).status == .unauthorized)
            let good = try await client.call(
                .put, "/api/payment-providers/stripe", store: store, json: ["secretKey": StripeTestServer.secretKey, "webhookSecret": Self.webhookSecret])
            #expect(good.status == .ok)
            #expect(!good.text.contains(StripeTestServer.secretKey) && !good.text.contains(Self.webhookSecret))
            let listing = try await client.call(.get, "/api/payment-providers", store: store)
            #expect(listing.json["defaultProvider"] as? String == "stripe")
            #expect(!listing.text.contains(StripeTestServer.secretKey))
            let location = try #require(try await platform.services.registry.find(id: store.id)).database
            let stored = try await platform.services.databases.withDatabase(tenantID: store.id, location: location) { database in
                try await database.read { sql in
                    try await sql.raw("SELECT secret_key_sealed || webhook_secret_sealed AS sealed FROM provider_credentials").first()?.decode(
                        column: "sealed", as: String.self)
                }
            }
            let sealed = try #require(stored)
            #expect(!sealed.contains(StripeTestServer.secretKey) && !sealed.contains(Self.webhookSecret))
            let other = try await client.makeStore("No Stripe Shop")
            #expect(try await client.call(.get, "/api/payment-providers", store: other).json["defaultProvider"] as? String == "test")
            #expect(try await client.call(.delete, "/api/payment-providers/stripe", store: store).status == .noContent)
            #expect(try await client.call(.delete, "/api/payment-providers/stripe", store: store).status == .notFound)
        }
    }

    @Test(
        "a card payment: one PaymentIntent with an Idempotency-Key, the order paid at once, a retry replayed without calling Stripe; refunds go through Stripe; webhooks verified and idempotent",
        arguments: TestPlatform.storages)
    func payAndRefund(storage: TestPlatform.Storage) async throws {
        let stripe = StripeTestServer()
        try await stripe.serve { base in
            try await TestPlatform.withPlatform(storage, configure: { $0.stripeAPIBase = base }) { platform, client in
                let (store, order, total) = try await stripeStore(client, "Stripe Pay Shop")
                let body: [String: Any] = ["paymentMethod": "pm_card_visa"]
                let paid = try await client.call(.post, "/api/orders/\(order)/pay", store: store, json: body, headers: [.idempotencyKey: "pay-once-1"])
                #expect(paid.status == .created, "\(paid.text)")
                #expect(paid.json["provider"] as? String == "stripe")
                #expect(paid.json["status"] as? String == "captured")
                #expect(paid.json["cardLast4"] as? String == "4242")
                #expect(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String == "paid")

                let again = try await client.call(.post, "/api/orders/\(order)/pay", store: store, json: body, headers: [.idempotencyKey: "pay-once-1"])
                #expect(again.status == .created)
                #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                #expect(again.json["id"] as? String == paid.json["id"] as? String)
                var requests = await stripe.received
                #expect(requests.count == 1, "the retry never reached Stripe")
                let create = try #require(requests.first)
                #expect(create.path == "/v1/payment_intents")
                #expect(create.header("Idempotency-Key")?.hasPrefix("leopard-") == true)
                #expect(create.header("Stripe-Version") == StripeProvider.apiVersion)
                #expect(create.form["amount"] == String(total))
                #expect(create.form["currency"] == "usd")
                #expect(create.form["confirm"] == "true")
                #expect(create.form["metadata[order_id]"] == order)
                #expect(create.form["payment_method"] == "pm_card_visa")

                // Stripe's own events: succeeded again changes nothing; a bad signature is refused.
                let location = try #require(try await platform.services.registry.find(id: store.id)).database
                let paymentID = try #require(paid.json["id"] as? String)
                let found = try await platform.services.databases.withDatabase(tenantID: store.id, location: location) { database in
                    try await Payments(database: database).reference(paymentID: paymentID)?.reference
                }
                let reference = try #require(found)
                let succeeded =
                    #"{"id": "evt_1Stripe0001", "object": "event", "type": "payment_intent.succeeded", "data": {"object": {"id": "\#(reference)", "object": "payment_intent", "status": "succeeded"}}}"#
                #expect(try await signed(client, store, succeeded).json["changed"] as? Bool == false)
                #expect(try await signed(client, store, succeeded, secret: "whsec_wrong_secret_123").status == .badRequest)
                let tampered = succeeded.replacingOccurrences(of: "evt_1Stripe0001", with: "evt_1Stripe0002")
                let header = WebhookSignature.header(for: Data(succeeded.utf8), secret: Self.webhookSecret)
                #expect(
                    try await client.call(
                        .post, "/webhooks/payments/stripe", host: store.host, raw: tampered, headers: [HTTPField.Name("Stripe-Signature")!: header]
                    ).status == .badRequest)

                // A refund through the API calls Stripe's /v1/refunds; Stripe's charge.refunded for the same total changes nothing.
                let refund = try await client.call(.post, "/api/orders/\(order)/refunds", store: store, json: ["amount": 1500])
                #expect(refund.status == .created, "\(refund.text)")
                requests = await stripe.received
                let refundCall = try #require(requests.last)
                #expect(refundCall.path == "/v1/refunds")
                #expect(refundCall.form["payment_intent"] == reference)
                #expect(refundCall.form["amount"] == "1500")
                #expect(refundCall.header("Idempotency-Key")?.hasPrefix("refund-") == true)
                let refunded =
                    #"{"id": "evt_1Stripe0003", "object": "event", "type": "charge.refunded", "data": {"object": {"id": "ch_3MtwBwLkdIwHu7ix", "object": "charge", "amount_refunded": 1500, "payment_intent": "\#(reference)", "refunded": false}}}"#
                #expect(try await signed(client, store, refunded).json["changed"] as? Bool == false)
                // A refund made in Stripe's dashboard arrives only as the event, and is recorded.
                let dashboard = refunded.replacingOccurrences(of: "evt_1Stripe0003", with: "evt_1Stripe0004").replacingOccurrences(
                    of: "\"amount_refunded\": 1500", with: "\"amount_refunded\": \(total)")
                #expect(try await signed(client, store, dashboard).json["changed"] as? Bool == true)
                #expect(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String == "refunded")
                // Nothing is left to refund.
                #expect(try await client.call(.post, "/api/orders/\(order)/refunds", store: store, json: ["amount": 1]).status == .conflict)

                // Two identical refunds at once: what is recorded is what Stripe refunded (requests
                // that read the same total share a key, so Stripe refunds them once; one that read
                // the other's result is a refund of its own).
                let second = try await newOrder(client, store)
                #expect(try await client.call(.post, "/api/orders/\(second.id)/pay", store: store, json: body).status == .created)
                async let first = client.call(.post, "/api/orders/\(second.id)/refunds", store: store, json: ["amount": 1000])
                async let twin = client.call(.post, "/api/orders/\(second.id)/refunds", store: store, json: ["amount": 1000])
                let statuses = [try await first.status, try await twin.status]
                #expect(statuses.contains(.created) && statuses.allSatisfy { $0 == .created || $0 == .conflict }, "\(statuses)")
                let firstPayment = try #require(paid.json["id"] as? String)
                let refundKeys = Set(
                    await stripe.received.filter { $0.path == "/v1/refunds" }.compactMap { $0.header("Idempotency-Key") }
                        .filter { !$0.hasPrefix("refund-\(firstPayment)-") })
                #expect(!refundKeys.isEmpty)
                #expect(
                    (try await client.call(.get, "/api/orders/\(second.id)", store: store).json["refundedTotal"] as? [String: Any])?["amount"] as? Int == 1000
                        * refundKeys.count)

                // An event about a payment this store never recorded leaves no receipt behind.
                let stranger =
                    #"{"id": "evt_1Stripe0900", "object": "event", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_unknown", "object": "payment_intent"}}}"#
                #expect(try await signed(client, store, stranger).json["changed"] as? Bool == false)
                let receipts = try await platform.services.databases.withDatabase(tenantID: store.id, location: location) { database in
                    try await database.read { sql in try await sql.raw("SELECT event_id FROM webhook_receipts WHERE event_id = 'evt_1Stripe0900'").all().count }
                }
                #expect(receipts == 0)
            }
        }
    }

    @Test("declined, extra step, and Stripe failing: a declined card is a 402; 3-D Secure waits for the event; an outage is a 502 that records nothing")
    func declinedActionAndOutage() async throws {
        let stripe = StripeTestServer()
        try await stripe.serve { base in
            try await TestPlatform.withPlatform(configure: { $0.stripeAPIBase = base }) { platform, client in
                let (store, order, _) = try await stripeStore(client, "Stripe Edge Shop")
                let declined = try await client.call(.post, "/api/orders/\(order)/pay", store: store, json: ["paymentMethod": "pm_card_chargeDeclined"])
                #expect(declined.status.code == 402, "\(declined.text)")
                #expect(declined.json["detail"] as? String == "Your card was declined.")
                #expect(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String == "pending")
                #expect(
                    try await client.call(.post, "/api/orders/\(order)/pay", store: store, json: ["paymentMethod": "not-a-method"]).errorFields == [
                        "paymentMethod"
                    ])

                let action = try await client.call(
                    .post, "/api/orders/\(order)/pay", store: store,
                    json: ["paymentMethod": "pm_card_authenticationRequired", "returnUrl": "https://shop.example/return"])
                #expect(action.status == .created, "\(action.text)")
                #expect(action.json["status"] as? String == "requires_action")
                let next = try #require(action.json["nextAction"] as? [String: Any])
                #expect(next["type"] as? String == "redirect_to_url")
                #expect((next["url"] as? String)?.hasPrefix("https://hooks.stripe.com/") == true)
                #expect(await stripe.received.last?.form["return_url"] == "https://shop.example/return")
                let reference = try #require(String(((next["url"] as? String) ?? "").split(separator: "=").last ?? ""))
                let event =
                    #"{"id": "evt_1Stripe0100", "object": "event", "type": "payment_intent.succeeded", "data": {"object": {"id": "\#(reference)", "object": "payment_intent"}}}"#
                #expect(try await signed(client, store, event).json["changed"] as? Bool == true)
                #expect(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String == "paid")

                // Cancelling an order whose payment waits for its extra step cancels the intent at Stripe.
                let third = try await newOrder(client, store)
                let waiting = try await client.call(
                    .post, "/api/orders/\(third.id)/pay", store: store, json: ["paymentMethod": "pm_card_authenticationRequired"])
                #expect(waiting.json["status"] as? String == "requires_action")
                #expect(try await client.call(.post, "/api/orders/\(third.id)/mark-paid", store: store).status == .conflict, "a card payment is under way")
                #expect(try await client.call(.post, "/api/orders/\(third.id)/cancel", store: store).status == .ok)
                #expect(await stripe.received.last?.path.hasSuffix("/cancel") == true)
                let cancelled = try await client.call(.get, "/api/orders/\(third.id)/payments", store: store)
                #expect(((cancelled.json["data"] as? [[String: Any]])?.first?["status"] as? String) == "cancelled")

                let second = try await newOrder(client, store)
                await stripe.setFailing(true)
                let outage = try await client.call(.post, "/api/orders/\(second.id)/pay", store: store, json: ["paymentMethod": "pm_card_visa"])
                #expect(outage.status == .badGateway, "\(outage.text)")
                let payments = try await client.call(.get, "/api/orders/\(second.id)/payments", store: store)
                #expect((payments.json["data"] as? [Any])?.isEmpty == true)
                await stripe.setFailing(false)
                #expect(try await client.call(.post, "/api/orders/\(second.id)/pay", store: store, json: ["paymentMethod": "pm_card_visa"]).status == .created)
                _ = platform
            }
        }
    }
}
