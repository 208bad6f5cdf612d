import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardPayments
import NIOCore
import Testing

@testable import LeopardOperations
@testable import LeopardServer

/// The storefront's card form with Stripe.js, against the recorded Stripe exchanges
/// (`StripeTestServer`); the browser story runs the same pages against localstripe.
@Suite("Storefront: card payments through Stripe.js")
struct StripeCheckoutPageTests {
    /// A store with Stripe (and its publishable key) and a shopper at its payment page; with
    /// `store`, a new shopper's order at that store.
    func paymentPage(
        _ client: some TestClientProtocol, _ name: String, store existing: StoreFixture? = nil
    ) async throws
        -> (StoreFixture, BrowserClient, order: String, page: BrowserClient.Page)
    {
        let store: StoreFixture
        if let existing {
            store = existing
        } else {
            store = try await client.makeStore(name)
            let keys = try await client.call(
                .put, "/api/payment-providers/stripe", store: store,
                json: ["secretKey": StripeTestServer.secretKey, "webhookSecret": StripeProviderTests.webhookSecret, "publishableKey": "pk_test_51Leopard"])
            try #require(keys.status == .ok, "\(keys.text)")
        }
        let product = try await client.makeProduct(store, title: "Bowl \(UUID().uuidString.prefix(6))", price: 2500, stock: 10)
        let ref = try ProductRef(product)
        let browser = BrowserClient(client)
        let productPage = try await browser.get("/products/\(ref.slug)", host: store.host)
        _ = try await browser.post("/cart/add", host: store.host, form: ["product": ref.slug, "variant": ref.variant, "quantity": "2"], csrf: productPage.csrf)
        let checkout = try await browser.get("/checkout", host: store.host)
        let placed = try await browser.post(
            "/checkout", host: store.host,
            form: [
                "email": "buyer@example.test", "name": "Bea Buyer", "line1": "2 High St", "city": "Springfield", "postalCode": "12345", "country": "US",
                "paymentMethod": "card",
            ], csrf: checkout.csrf)
        let payURL = try #require(placed.location)
        let order = String(payURL.dropFirst("/checkout/pay?order=".count))
        return (store, browser, order, try await browser.get(payURL, host: store.host))
    }

    func orderStatus(_ client: some TestClientProtocol, _ store: StoreFixture, _ order: String) async throws -> String? {
        try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String
    }

    @Test("the payment page loads Stripe.js under a policy that allows its origin only; a card paid at once makes the order paid")
    func cardForm() async throws {
        let stripe = StripeTestServer()
        try await stripe.serve { base in
            try await TestPlatform.withPlatform(configure: { $0.stripeAPIBase = base }) { platform, client in
                let (store, browser, order, page) = try await paymentPage(client, "Stripe Form Shop")
                #expect(page.status == .ok)
                #expect(page.html.contains(#"<script src="https://js.stripe.com/v3/"></script>"#))
                #expect(page.html.contains(#"data-publishable-key="pk_test_51Leopard""#))
                #expect(!page.html.contains(#"name="cardNumber""#), "no card field of the store's own")
                #expect(page.html.contains("<noscript>"))
                let policy = try #require(page.headers[HTTPField.Name("Content-Security-Policy")!])
                #expect(policy.contains("script-src 'self' https://js.stripe.com https://*.js.stripe.com;"))
                #expect(policy.contains("frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com"))
                #expect(policy.contains("connect-src 'self' https://js.stripe.com https://api.stripe.com"))
                let asset = try #require(
                    page.html.range(of: #"<script src="/assets/stripe-payment."#).map { page.html[$0.lowerBound...].dropFirst(13).prefix { $0 != "\"" } })
                let script = try await browser.get(String(asset), host: store.host)
                #expect(script.status == .ok)
                #expect(script.headers[.contentType]?.hasPrefix("text/javascript") == true)
                #expect(script.html.contains("createPaymentMethod"))

                // Only the payment method's id reaches the store.
                let paid = try await browser.post(
                    "/checkout/pay", host: store.host, form: ["order": order, "attempt": "s1", "paymentMethod": "pm_card_visa"], csrf: page.csrf)
                #expect(paid.status == .seeOther)
                #expect(paid.location == "/orders/\(order)")
                #expect(try await orderStatus(client, store, order) == "paid")
                let create = try #require(await stripe.received.first { $0.path == "/v1/payment_intents" })
                #expect(create.form["payment_method_types[]"] == "card")
                #expect(create.form["automatic_payment_methods[enabled]"] == nil)
                _ = platform
            }
        }
    }

    @Test("a declined card shows the bank's answer on the form, and nothing is paid")
    func declined() async throws {
        let stripe = StripeTestServer()
        try await stripe.serve { base in
            try await TestPlatform.withPlatform(configure: { $0.stripeAPIBase = base }) { _, client in
                let (store, browser, order, page) = try await paymentPage(client, "Stripe Decline Shop")
                let declined = try await browser.post(
                    "/checkout/pay", host: store.host, form: ["order": order, "attempt": "d1", "paymentMethod": "pm_card_chargeDeclined"], csrf: page.csrf)
                #expect(declined.status == .unprocessableContent)
                #expect(declined.html.contains("Your card was declined."))
                #expect(declined.html.contains(#"id="stripe-payment""#), "the form is there to try again")
                #expect(try await orderStatus(client, store, order) == "pending")
                let bad = try await browser.post(
                    "/checkout/pay", host: store.host, form: ["order": order, "attempt": "d2", "paymentMethod": "4242424242424242"], csrf: page.csrf)
                #expect(bad.status == .unprocessableContent)
            }
        }
    }

    @Test("the bank's step runs in the page with the client secret; the return asks Stripe, and the order is paid once, whichever comes first")
    func extraStepAndReturn() async throws {
        let stripe = StripeTestServer()
        try await stripe.serve { base in
            try await TestPlatform.withPlatform(configure: { $0.stripeAPIBase = base }) { _, client in
                let (store, browser, order, page) = try await paymentPage(client, "Stripe Step Shop")
                let step = try await browser.post(
                    "/checkout/pay", host: store.host, form: ["order": order, "attempt": "t1", "paymentMethod": "pm_card_threeDSecureRequired"], csrf: page.csrf
                )
                #expect(step.status == .ok)
                #expect(step.html.contains("data-client-secret=\"pi_"))
                #expect(step.html.contains("action=\"/checkout/return?order=\(order)\""))
                #expect(step.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("https://js.stripe.com") == true)
                // Another browser, without the cart, sees neither the step nor the return.
                let stranger = BrowserClient(client)
                #expect(try await stranger.get("/checkout/pay?order=\(order)", host: store.host).status == .notFound)
                #expect(try await stranger.get("/checkout/return?order=\(order)", host: store.host).status == .notFound)
                // Left half-way, the payment page picks the step up again.
                #expect(try await browser.get("/checkout/pay?order=\(order)", host: store.host).html.contains("data-client-secret=\"pi_"))
                #expect(try await orderStatus(client, store, order) == "pending")

                let back = try await browser.get("/checkout/return?order=\(order)", host: store.host)
                #expect(back.status == .seeOther)
                #expect(back.location == "/orders/\(order)")
                #expect(try await orderStatus(client, store, order) == "paid")
                #expect(await stripe.received.contains { $0.path.hasPrefix("GET /v1/payment_intents/pi_") })
                // Stripe's own event arrives after: nothing changes.
                let payments = try await client.call(.get, "/api/orders/\(order)/payments", store: store)
                #expect((payments.json["data"] as? [[String: Any]])?.count == 1)
                let reference = try #require(await stripe.received.first { $0.path.hasPrefix("GET /v1/payment_intents/") }?.path.split(separator: "/").last)
                let event = #"{"id":"evt_after_return","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"\#(reference)"}}}"#
                let late = try await StripeProviderTests().signed(client, store, event)
                #expect(late.status == .ok)
                #expect(late.json["changed"] as? Bool == false)
                #expect(try await browser.get("/checkout/return?order=\(order)", host: store.host).location == "/orders/\(order)")
            }
        }
    }

    @Test("capture on fulfilment: checkout only authorizes; fulfilling captures and the order is paid; cancelling an authorized order releases it")
    func manualCapture() async throws {
        let stripe = StripeTestServer()
        try await stripe.serve { base in
            try await TestPlatform.withPlatform(configure: { $0.stripeAPIBase = base }) { _, client in
                let (store, browser, order, page) = try await paymentPage(client, "Capture Later Shop")
                let keys = try await client.call(
                    .put, "/api/payment-providers/stripe", store: store,
                    json: [
                        "secretKey": StripeTestServer.secretKey, "webhookSecret": StripeProviderTests.webhookSecret, "publishableKey": "pk_test_51Leopard",
                        "captureMethod": "manual",
                    ])
                #expect(keys.json["captureMethod"] as? String == "manual")
                #expect(
                    try await client.call(
                        .put, "/api/payment-providers/stripe", store: store,
                        json: [
                            "secretKey": StripeTestServer.secretKey, "webhookSecret": StripeProviderTests.webhookSecret, "captureMethod": "later",
                        ]
                    ).errorFields == ["captureMethod"])
                let authorized = try await browser.post(
                    "/checkout/pay", host: store.host, form: ["order": order, "attempt": "m1", "paymentMethod": "pm_card_visa"], csrf: page.csrf)
                #expect(authorized.location == "/orders/\(order)")
                #expect(await stripe.received.last { $0.path == "/v1/payment_intents" }?.form["capture_method"] == "manual")
                #expect(try await orderStatus(client, store, order) == "pending")
                let confirmation = try await browser.get("/orders/\(order)", host: store.host)
                #expect(confirmation.html.contains("Your card is authorized"))
                #expect(!confirmation.html.contains("http-equiv=\"refresh\""), "nothing to wait for")

                let fulfilled = try await client.call(.post, "/api/orders/\(order)/fulfill", store: store)
                #expect(fulfilled.status == .ok, "\(fulfilled.text)")
                #expect(fulfilled.json["status"] as? String == "fulfilled")
                let capture = try #require(await stripe.received.last { $0.path.hasSuffix("/capture") })
                #expect(capture.form["amount_to_capture"] == "5000")
                let payments = try await client.call(.get, "/api/orders/\(order)/payments", store: store).json["data"] as? [[String: Any]]
                #expect(payments?.first?["status"] as? String == "captured")

                // A card that needs the bank's step: after it, Stripe holds the money for capture.
                let (_, stepBrowser, stepOrder, stepPage) = try await paymentPage(client, "Capture Later Shop", store: store)
                _ = try await stepBrowser.post(
                    "/checkout/pay", host: store.host, form: ["order": stepOrder, "attempt": "m3", "paymentMethod": "pm_card_threeDSecureRequired"],
                    csrf: stepPage.csrf)
                await stripe.setRetrievedStatus("requires_capture")
                #expect(try await stepBrowser.get("/checkout/return?order=\(stepOrder)", host: store.host).location == "/orders/\(stepOrder)")
                #expect(try await stepBrowser.get("/orders/\(stepOrder)", host: store.host).html.contains("Your card is authorized"))
                #expect(
                    try await stepBrowser.get("/checkout/pay?order=\(stepOrder)", host: store.host).location == "/orders/\(stepOrder)", "nothing more to pay")
                #expect(try await client.call(.post, "/api/orders/\(stepOrder)/fulfill", store: store).json["status"] as? String == "fulfilled")

                // A second order, authorized and then cancelled: the hold is released with Stripe.
                let product = try await client.makeProduct(store, title: "Jug", price: 1000, stock: 5)
                let ref = try ProductRef(product)
                let productPage = try await browser.get("/products/\(ref.slug)", host: store.host)
                _ = try await browser.post(
                    "/cart/add", host: store.host, form: ["product": ref.slug, "variant": ref.variant, "quantity": "1"], csrf: productPage.csrf)
                let checkout = try await browser.get("/checkout", host: store.host)
                let fields = [
                    "email": "buyer@example.test", "name": "Bea Buyer", "line1": "2 High St", "city": "Springfield", "postalCode": "12345", "country": "US",
                    "paymentMethod": "card",
                ]
                let placed = try await browser.post("/checkout", host: store.host, form: fields, csrf: checkout.csrf)
                let second = String(try #require(placed.location).dropFirst("/checkout/pay?order=".count))
                let secondPage = try await browser.get(try #require(placed.location), host: store.host)
                _ = try await browser.post(
                    "/checkout/pay", host: store.host, form: ["order": second, "attempt": "m2", "paymentMethod": "pm_card_visa"], csrf: secondPage.csrf)
                let cancelled = try await client.call(.post, "/api/orders/\(second)/cancel", store: store)
                #expect(cancelled.json["status"] as? String == "cancelled")
                #expect(await stripe.received.contains { $0.path.hasSuffix("/cancel") })
                let secondPayments = try await client.call(.get, "/api/orders/\(second)/payments", store: store).json["data"] as? [[String: Any]]
                #expect(secondPayments?.first?["status"] as? String == "cancelled")
            }
        }
    }

    @Test("a bank that says no: the shopper is back on the form with a message, and can pay again")
    func stepRefused() async throws {
        let stripe = StripeTestServer()
        try await stripe.serve { base in
            try await TestPlatform.withPlatform(configure: { $0.stripeAPIBase = base }) { _, client in
                let (store, browser, order, page) = try await paymentPage(client, "Stripe Refused Shop")
                _ = try await browser.post(
                    "/checkout/pay", host: store.host, form: ["order": order, "attempt": "r1", "paymentMethod": "pm_card_threeDSecureRequired"], csrf: page.csrf
                )
                await stripe.setRetrievedStatus("requires_payment_method")
                let back = try await browser.get("/checkout/return?order=\(order)", host: store.host)
                #expect(back.location == "/checkout/pay?order=\(order)&failed=1")
                let again = try await browser.get(try #require(back.location), host: store.host)
                #expect(again.html.contains("Your bank did not confirm the payment"))
                #expect(try await orderStatus(client, store, order) == "pending")
                let paid = try await browser.post(
                    "/checkout/pay", host: store.host, form: ["order": order, "attempt": "r2", "paymentMethod": "pm_card_visa"], csrf: again.csrf)
                #expect(paid.location == "/orders/\(order)")
                #expect(try await orderStatus(client, store, order) == "paid")
            }
        }
    }
}
