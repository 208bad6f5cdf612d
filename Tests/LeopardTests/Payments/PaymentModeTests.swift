import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardPayments
import NIOCore
import Testing

@testable import LeopardOperations
@testable import LeopardServer

@Suite("Test mode and live mode")
struct PaymentModeTests {
    struct Providers: Decodable {
        struct Provider: Decodable {
            let provider: String
            let configured: Bool
        }
        let data: [Provider]
        let defaultProvider: String
        let mode: String
    }

    func providers(_ client: some TestClientProtocol, _ store: StoreFixture) async throws -> Providers {
        let response = try await client.call(.get, "/api/payment-providers", store: store)
        try #require(response.status == .ok, "\(response.text)")
        return try JSONDecoder().decode(Providers.self, from: Data(buffer: response.body))
    }

    func setStripe(_ client: some TestClientProtocol, _ store: StoreFixture, secretKey: String) async throws {
        let keys = try await client.call(
            .put, "/api/payment-providers/stripe", store: store,
            json: [
                "secretKey": secretKey, "webhookSecret": StripeProviderTests.webhookSecret,
                "publishableKey": secretKey.hasPrefix("sk_live_") ? "pk_live_51Leopard" : "pk_test_51Leopard",
            ])
        try #require(keys.status == .ok, "\(keys.text)")
    }

    @Test("a test-mode store takes the test card; with any Stripe key the test gateway is refused and nothing is recorded", arguments: TestPlatform.storages)
    func testGatewaySealedOff(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let flow = PaymentFlowTests()
            let (store, first, firstSecret) = try await flow.pendingOrder(client, "Mode Shop")
            let before = try await providers(client, store)
            #expect(before.mode == "test")
            #expect(before.defaultProvider == "test")
            #expect(before.data.first { $0.provider == "test" }?.configured == true)
            let paid = try await client.call(
                .post, "/api/orders/\(first)/pay", store: store, staff: false, json: PaymentFlowTests.card("4242424242424242"),
                headers: [.cartSecret: firstSecret])
            #expect(paid.status == .created, "a test-mode store takes the test card: \(paid.text)")

            // Stripe with test keys: still test mode, but the built-in gateway is closed.
            try await setStripe(client, store, secretKey: StripeTestServer.secretKey)
            let testKeys = try await providers(client, store)
            #expect(testKeys.mode == "test")
            #expect(testKeys.defaultProvider == "stripe")
            #expect(testKeys.data.first { $0.provider == "test" }?.configured == false)

            let product = try await client.makeProduct(store, title: "Saucer", price: 1200, stock: 5)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let cart = try await client.makeCart(store, variantID: variant, quantity: 1)
            let placed = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
            let order = try #require(placed.json["id"] as? String)
            for body in [PaymentFlowTests.card("4242424242424242").merging(["provider": "test"]) { $1 }, PaymentFlowTests.card("4242424242424242")] {
                for staff in [false, true] {
                    let refused = try await client.call(
                        .post, "/api/orders/\(order)/pay", store: store, staff: staff, json: body, headers: [.cartSecret: cart.secret])
                    #expect((400..<500).contains(Int(refused.status.code)) && refused.status != .notFound, "\(refused.status) \(refused.text)")
                }
            }
            let named = try await client.call(
                .post, "/api/orders/\(order)/pay", store: store, staff: false,
                json: PaymentFlowTests.card("4242424242424242").merging(["provider": "test"]) { $1 }, headers: [.cartSecret: cart.secret])
            #expect(named.status == .unprocessableContent)
            #expect(named.errorFields == ["provider"])
            await platform.services.paymentRelay.idle()
            #expect((try await client.call(.get, "/api/orders/\(order)/payments", store: store).json["data"] as? [Any])?.isEmpty == true)
            #expect(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String == "pending")

            // Live keys: live mode, and the keys cannot be removed to reopen the test gateway.
            try await setStripe(client, store, secretKey: "sk_live_51LeopardLiveKeyAbCdEf0123456789")
            #expect(try await providers(client, store).mode == "live")
            #expect(try await client.call(.delete, "/api/payment-providers/stripe", store: store).status == .conflict)
            #expect(try await providers(client, store).mode == "live")
            #expect(
                try await client.call(
                    .post, "/api/orders/\(order)/pay", store: store, staff: false,
                    json: PaymentFlowTests.card("4242424242424242").merging(["provider": "test"]) { $1 }, headers: [.cartSecret: cart.secret]
                ).status == .unprocessableContent)
        }
    }

    @Test("connecting Stripe ends the test payments still under way: their extra step no longer pays, and the order can be paid anew")
    func connectingStripeEndsTestPayments() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let (store, order, secret) = try await PaymentFlowTests().pendingOrder(client, "Switch Shop")
            let extra = try await client.call(
                .post, "/api/orders/\(order)/pay", store: store, staff: false, json: PaymentFlowTests.card("4000002500003155"),
                headers: [.cartSecret: secret])
            #expect(extra.json["status"] as? String == "requires_action")
            let url = try #require((extra.json["nextAction"] as? [String: Any])?["url"] as? String)
            try await setStripe(client, store, secretKey: StripeTestServer.secretKey)
            let step = try await client.call(.post, url, store: store, staff: false, headers: [.cartSecret: secret])
            #expect((400..<500).contains(Int(step.status.code)), "\(step.status)")
            await platform.services.paymentRelay.idle()
            #expect(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String == "pending")
            let payments = try #require(try await client.call(.get, "/api/orders/\(order)/payments", store: store).json["data"] as? [[String: Any]])
            #expect(payments.map { $0["status"] as? String } == ["cancelled"])
            // Nothing under way blocks the order: staff can mark it paid (a bank transfer, say).
            #expect(try await client.call(.post, "/api/orders/\(order)/mark-paid", store: store).status == .ok)
        }
    }

    @Test("a publishable key of the other mode than the secret key is refused")
    func keyModesMatch() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Key Mode Shop")
            let mixed = try await client.call(
                .put, "/api/payment-providers/stripe", store: store,
                json: ["secretKey": StripeTestServer.secretKey, "webhookSecret": StripeProviderTests.webhookSecret, "publishableKey": "pk_live_51Leopard"])
            #expect(mixed.errorFields == ["publishableKey"])
            #expect(try await providers(client, store).data.first { $0.provider == "stripe" }?.configured == false)
        }
    }

    @Test("a Stripe store's payment page has no test-card form, and a test card posted to it pays nothing")
    func storefrontRefusesTheTestCard() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Live Card Shop")
            try await setStripe(client, store, secretKey: "sk_live_51LeopardLiveKeyAbCdEf0123456789")
            let product = try await client.makeProduct(store, title: "Vase", price: 3000, stock: 4)
            let slug = try #require(product["slug"] as? String)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let browser = BrowserClient(client)
            let page = try await browser.get("/products/\(slug)", host: store.host)
            _ = try await browser.post("/cart/add", host: store.host, form: ["product": slug, "variant": variant, "quantity": "1"], csrf: page.csrf)
            let checkout = try await browser.get("/checkout", host: store.host)
            let form = [
                "email": "buyer@example.test", "name": "Bea Buyer", "line1": "2 High St", "city": "Springfield", "postalCode": "12345", "country": "US",
                "paymentMethod": "card",
            ]
            let placed = try await browser.post("/checkout", host: store.host, form: form, csrf: checkout.csrf)
            let payURL = try #require(placed.location)
            let orderID = String(payURL.dropFirst("/checkout/pay?order=".count))
            let payment = try await browser.get(payURL, host: store.host)
            #expect(payment.status == .ok)
            #expect(!payment.html.contains("name=\"cardNumber\""))
            #expect(!payment.html.contains("4242"))
            let posted = try await browser.post(
                "/checkout/pay", host: store.host,
                form: ["order": orderID, "attempt": "live-1", "cardNumber": "4242424242424242", "expiry": "12/34", "cvc": "123"], csrf: checkout.csrf)
            #expect(posted.status == .unprocessableContent)
            await platform.services.paymentRelay.idle()
            #expect(try await client.call(.get, "/api/orders/\(orderID)", store: store).json["status"] as? String == "pending")
            #expect((try await client.call(.get, "/api/orders/\(orderID)/payments", store: store).json["data"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("the admin shows a test-mode banner on every page until Stripe has live keys")
    func banner() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Banner Shop")
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            for path in ["/admin", "/admin/products", "/admin/orders", "/admin/settings"] {
                let page = try await browser.get(path, host: store.host)
                #expect(page.status == .ok)
                #expect(page.html.contains("Test mode."), "\(path)")
            }
            try await setStripe(client, store, secretKey: StripeTestServer.secretKey)
            #expect(try await browser.get("/admin", host: store.host).html.contains("Stripe is connected with test keys"))
            try await setStripe(client, store, secretKey: "sk_live_51LeopardLiveKeyAbCdEf0123456789")
            #expect(try await browser.get("/admin", host: store.host).html.contains("Test mode.") == false)
            // Signed out, nobody is told anything about the store's payments.
            #expect(try await BrowserClient(client).get("/admin/login", host: store.host).html.contains("Test mode.") == false)
        }
    }

    @Test("Stripe's events also reach a store at the platform host, by store id; a wrong id or signature is refused")
    func platformHostWebhooks() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Hook Host Shop")
            let other = try await client.makeStore("Other Hook Host Shop")
            try await setStripe(client, store, secretKey: StripeTestServer.secretKey)
            try await setStripe(client, other, secretKey: StripeTestServer.secretKey)
            let event = #"{"id":"evt_platform_1","object":"event","type":"customer.created","data":{"object":{"id":"cus_1"}}}"#
            let header = WebhookSignature.header(for: Data(event.utf8), secret: StripeProviderTests.webhookSecret)
            let signature = HTTPField.Name("Stripe-Signature")!
            let received = try await client.call(.post, "/webhooks/payments/stripe/\(store.id)", host: "localhost", raw: event, headers: [signature: header])
            #expect(received.status == .ok, "\(received.text)")
            #expect(received.json["received"] as? Bool == true)
            let forged = try await client.call(
                .post, "/webhooks/payments/stripe/\(store.id)", host: "localhost", raw: event,
                headers: [signature: WebhookSignature.header(for: Data(event.utf8), secret: "whsec_somebodyelse000")])
            #expect(forged.status == .badRequest)
            #expect(
                try await client.call(
                    .post, "/webhooks/payments/stripe/ten_00000000000000000000000000", host: "localhost", raw: event,
                    headers: [signature: header]
                ).status == .notFound)
            // On a store's own host, another store's id is not an address.
            #expect(
                try await client.call(.post, "/webhooks/payments/stripe/\(other.id)", host: store.host, raw: event, headers: [signature: header]).status
                    == .notFound)
        }
    }
}
