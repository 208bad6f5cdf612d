import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardPayments
import NIOCore
import Testing

@testable import LeopardOperations
@testable import LeopardServer

/// The Stripe provider and the storefront's card pages against localstripe, a stateful fake of
/// Stripe written by others. What localstripe does not do (idempotent replays, Stripe's
/// `card_error`, redirect-based next actions, outages) stays on the recorded exchanges
/// (`StripeTestServer`); `docs/payments.md` lists the differences.
@Suite("Stripe against localstripe", .enabled(if: LocalStripe.isAvailable, Comment(rawValue: LocalStripe.skipReason)))
struct LocalStripeTests {
    func orderStatus(_ client: some TestClientProtocol, _ store: StoreFixture, _ order: String) async throws -> String? {
        try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String
    }

    @Test("cards through the storefront: paid at once, through 3-D Secure and the return, declined; a refund reaches Stripe")
    func storefrontCards() async throws {
        let stripe = try await LocalStripe()
        defer { stripe.stop() }
        try await TestPlatform.withPlatform(configure: { $0.stripeAPIBase = stripe.base }) { _, client in
            let pages = StripeCheckoutPageTests()
            let (store, browser, order, page) = try await pages.paymentPage(client, "Local Stripe Shop")
            let visa = try await stripe.paymentMethod(card: "4242424242424242")
            let paid = try await browser.post(
                "/checkout/pay", host: store.host, form: ["order": order, "attempt": "l1", "paymentMethod": visa], csrf: page.csrf)
            #expect(paid.location == "/orders/\(order)", "\(paid.status) \(paid.html.prefix(400))")
            #expect(try await orderStatus(client, store, order) == "paid")

            // A second order, whose card needs the bank's step.
            let (_, secondBrowser, second, secondPage) = try await pages.paymentPage(client, "Local Stripe Shop", store: store)
            let threeDS = try await stripe.paymentMethod(card: "4000002500003155")
            let step = try await secondBrowser.post(
                "/checkout/pay", host: store.host, form: ["order": second, "attempt": "l2", "paymentMethod": threeDS], csrf: secondPage.csrf)
            let secret = try #require(step.html.range(of: #"data-client-secret=""#).map { String(step.html[$0.upperBound...].prefix { $0 != "\"" }) })
            let intent = try #require(secret.components(separatedBy: "_secret_").first)
            #expect(try await stripe.get("/v1/payment_intents/\(intent)")["status"] as? String == "requires_action")
            // What the Stripe.js stand-in does when the shopper completes the bank's check.
            var authenticate = HTTPClientRequest(url: stripe.base + "/v1/payment_intents/\(intent)/_authenticate?success=true")
            authenticate.method = .POST
            authenticate.body = .bytes(ByteBuffer(string: #"{"key":"pk_test_51Leopard","client_secret":"\#(secret)"}"#))
            #expect(try await HTTPClient.shared.execute(authenticate, timeout: .seconds(10)).status == .ok)
            #expect(try await orderStatus(client, store, second) == "pending")
            let back = try await secondBrowser.get("/checkout/return?order=\(second)", host: store.host)
            #expect(back.location == "/orders/\(second)")
            #expect(try await orderStatus(client, store, second) == "paid")

            // A declined card, on a third order.
            let (_, thirdBrowser, third, thirdPage) = try await pages.paymentPage(client, "Local Stripe Shop", store: store)
            let declinedCard = try await stripe.paymentMethod(card: "4000000000000341")
            let declined = try await thirdBrowser.post(
                "/checkout/pay", host: store.host, form: ["order": third, "attempt": "l3", "paymentMethod": declinedCard], csrf: thirdPage.csrf)
            #expect(declined.status == .unprocessableContent)
            #expect(declined.html.contains("declined"))
            #expect(try await orderStatus(client, store, third) == "pending")

            // A partial refund of the first order goes to Stripe.
            let refund = try await client.call(.post, "/api/orders/\(order)/refunds", store: store, json: ["amount": 1500])
            #expect(refund.status == .created, "\(refund.text)")
            let refunds = try await stripe.get("/v1/refunds")["data"] as? [[String: Any]]
            #expect(refunds?.contains { $0["amount"] as? Int == 1500 } == true, "\(String(describing: refunds))")
        }
    }

    @Test("capture on fulfilment: the intent waits for capture at Stripe; fulfilling captures it; cancelling releases it")
    func manualCapture() async throws {
        let stripe = try await LocalStripe()
        defer { stripe.stop() }
        try await TestPlatform.withPlatform(configure: { $0.stripeAPIBase = stripe.base }) { _, client in
            let pages = StripeCheckoutPageTests()
            let (store, browser, order, page) = try await pages.paymentPage(client, "Local Capture Shop")
            #expect(
                try await client.call(
                    .put, "/api/payment-providers/stripe", store: store,
                    json: [
                        "secretKey": StripeTestServer.secretKey, "webhookSecret": StripeProviderTests.webhookSecret, "publishableKey": "pk_test_51Leopard",
                        "captureMethod": "manual",
                    ]
                ).status == .ok)
            let visa = try await stripe.paymentMethod(card: "4242424242424242")
            _ = try await browser.post("/checkout/pay", host: store.host, form: ["order": order, "attempt": "c1", "paymentMethod": visa], csrf: page.csrf)
            #expect(try await orderStatus(client, store, order) == "pending")
            let fulfilled = try await client.call(.post, "/api/orders/\(order)/fulfill", store: store)
            #expect(fulfilled.json["status"] as? String == "fulfilled", "\(fulfilled.text)")

            let (_, secondBrowser, second, secondPage) = try await pages.paymentPage(client, "Local Capture Shop", store: store)
            _ = try await secondBrowser.post(
                "/checkout/pay", host: store.host,
                form: ["order": second, "attempt": "c2", "paymentMethod": try await stripe.paymentMethod(card: "4242424242424242")],
                csrf: secondPage.csrf)
            #expect(try await client.call(.post, "/api/orders/\(second)/cancel", store: store).json["status"] as? String == "cancelled")
            let intents = try await stripe.get("/v1/payment_intents")["data"] as? [[String: Any]] ?? []
            #expect(intents.contains { $0["status"] as? String == "succeeded" }, "the first intent was captured")
            #expect(intents.contains { $0["status"] as? String == "canceled" }, "the second intent's hold was released")
        }
    }
}
