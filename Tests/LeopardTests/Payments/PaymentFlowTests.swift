import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardPayments
import NIOCore
import Testing

@testable import LeopardOperations
@testable import LeopardServer

@Suite("Payments with the test provider")
struct PaymentFlowTests {
    static func card(_ number: String) -> [String: Any] {
        ["card": ["number": number, "expMonth": 12, "expYear": 2040, "cvc": "123"]]
    }

    /// A store with one pending order of 2 × 2500; returns the store, order id, cart secret.
    func pendingOrder(_ client: some TestClientProtocol, _ name: String) async throws -> (StoreFixture, String, String) {
        let store = try await client.makeStore(name)
        let product = try await client.makeProduct(store, title: "Teapot", price: 2500, stock: 10)
        let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
        let cart = try await client.makeCart(store, variantID: variant, quantity: 2)
        let order = try await client.call(
            .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
        try #require(order.status == .created)
        let payment = try #require(order.json["payment"] as? [String: Any])
        #expect(((payment["nextAction"] as? [String: Any])?["url"] as? String)?.hasSuffix("/pay") == true)
        return (store, try #require(order.json["id"] as? String), cart.secret)
    }

    @Test("cart → checkout → pay → paid order → partial and full refunds, never above what was captured", arguments: TestPlatform.storages)
    func wholeFlow(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let (store, order, secret) = try await pendingOrder(client, "Pay Shop")
            // A guest reads the order with the cart's secret, and only with it.
            #expect(try await client.call(.get, "/api/orders/\(order)", store: store, staff: false, headers: [.cartSecret: secret]).status == .ok)
            #expect(try await client.call(.get, "/api/orders/\(order)", store: store, staff: false, headers: [.cartSecret: "wrong"]).status == .notFound)
            #expect(try await client.call(.get, "/api/orders/\(order)", store: store, staff: false).status == .unauthorized)
            // Another store's staff, and another store's host with the right cart secret, reach nothing.
            let other = try await client.makeStore("Other Pay Shop")
            #expect(try await client.call(.post, "/api/orders/\(order)/pay", store: other, json: Self.card("4242424242424242")).status == .notFound)
            #expect(try await client.call(.get, "/api/orders/\(order)", store: other, staff: false, headers: [.cartSecret: secret]).status == .notFound)
            let foreignPayments = try await client.call(.get, "/api/orders/\(order)/payments", store: other)
            #expect((foreignPayments.json["data"] as? [Any])?.isEmpty == true)
            let wrong = try await client.call(
                .post, "/api/orders/\(order)/pay", store: store, staff: false, json: Self.card("4242 4242 4242 4242"), headers: [.cartSecret: "nope"])
            #expect(wrong.status == .notFound)
            let paid = try await client.call(
                .post, "/api/orders/\(order)/pay", store: store, staff: false, json: Self.card("4242 4242 4242 4242"), headers: [.cartSecret: secret])
            #expect(paid.status == .created, "\(paid.text)")
            #expect(paid.json["cardLast4"] as? String == "4242")
            #expect(paid.json["cardBrand"] as? String == "visa")
            #expect(!paid.text.contains("4242424242424242"))
            await platform.services.paymentRelay.idle()
            let orderNow = try await client.call(.get, "/api/orders/\(order)", store: store)
            #expect(orderNow.json["status"] as? String == "paid", "\(orderNow.text)")
            // A paid order takes no second payment.
            #expect(try await client.call(.post, "/api/orders/\(order)/pay", store: store, json: Self.card("4242424242424242")).status == .conflict)

            #expect(try await client.call(.post, "/api/orders/\(order)/refunds", store: other, json: ["amount": 100]).status == .notFound)
            #expect(try await client.call(.post, "/api/orders/\(order)/refunds", store: store, json: ["amount": 6000]).status == .unprocessableContent)
            #expect(try await client.call(.post, "/api/orders/\(order)/refunds", store: store, json: ["amount": 0]).status == .unprocessableContent)
            let partial = try await client.call(.post, "/api/orders/\(order)/refunds", store: store, json: ["amount": 1500])
            #expect(partial.status == .created, "\(partial.text)")
            #expect((partial.json["refundedTotal"] as? [String: Any])?["amount"] as? Int == 1500)
            #expect(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String == "partially_refunded")
            #expect(try await client.call(.post, "/api/orders/\(order)/refunds", store: store, json: ["amount": 3501]).status == .unprocessableContent)
            let rest = try await client.call(.post, "/api/orders/\(order)/refunds", store: store, json: ["restock": true])
            #expect((rest.json["amount"] as? [String: Any])?["amount"] as? Int == 3500)
            #expect(rest.json["restocked"] as? Bool == true)
            let final = try await client.call(.get, "/api/orders/\(order)", store: store)
            #expect(final.json["status"] as? String == "refunded")
            #expect((final.json["refundedTotal"] as? [String: Any])?["amount"] as? Int == 5000)
            #expect(try await client.call(.get, "/api/products/teapot", store: store).json["stock"] as? Int == 10)
            #expect(try await client.call(.post, "/api/orders/\(order)/refunds", store: store, json: ["amount": 1]).status == .conflict)
            #expect(try await client.call(.post, "/api/orders/\(order)/refunds", store: store, staff: false, json: ["amount": 1]).status == .unauthorized)
        }
    }

    @Test("racing payments for one order: one goes through; racing refunds never exceed what was captured", arguments: TestPlatform.storages)
    func races(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let (store, order, secret) = try await pendingOrder(client, "Race Pay Shop")
            let payStatuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await client.call(
                            .post, "/api/orders/\(order)/pay", store: store, staff: false, json: Self.card("4242424242424242"), headers: [.cartSecret: secret]
                        ).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(payStatuses.filter { $0 == .created }.count == 1)
            #expect(payStatuses.filter { $0 == .conflict }.count == 7)
            await platform.services.paymentRelay.idle()
            let payments = try await client.call(.get, "/api/orders/\(order)/payments", store: store)
            #expect((payments.json["data"] as? [Any])?.count == 1)
            #expect(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String == "paid")

            // 5000 captured; eight refunds of 1000 at once: five go through.
            let refundStatuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await client.call(.post, "/api/orders/\(order)/refunds", store: store, json: ["amount": 1000]).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(refundStatuses.filter { $0 == .created }.count == 5)
            #expect(refundStatuses.filter { $0 != .created }.allSatisfy { $0 == .unprocessableContent || $0 == .conflict })
            let final = try await client.call(.get, "/api/orders/\(order)", store: store)
            #expect((final.json["refundedTotal"] as? [String: Any])?["amount"] as? Int == 5000)
            #expect(final.json["status"] as? String == "refunded")
        }
    }

    @Test("manual methods: the order waits for staff to mark it paid, which records a payment that refunds work on")
    func manualMethods() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Manual Shop")
            let product = try await client.makeProduct(store, title: "Crate", price: 3000, stock: 5)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let cart = try await client.makeCart(store, variantID: variant, quantity: 1)
            var body = checkoutBody
            body["paymentMethod"] = "carrier_pigeon"
            #expect(
                try await client.call(.post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: body, headers: [.cartSecret: cart.secret])
                    .errorFields == ["paymentMethod"])
            body["paymentMethod"] = "bank_transfer"
            let placed = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: body, headers: [.cartSecret: cart.secret])
            #expect(placed.status == .created)
            #expect(placed.json["paymentMethod"] as? String == "bank_transfer")
            #expect((placed.json["payment"] as? [String: Any])?["provider"] as? String == "manual")
            let order = try #require(placed.json["id"] as? String)
            #expect(try await client.call(.post, "/api/orders/\(order)/mark-paid", store: store, staff: false).status == .unauthorized)
            let paid = try await client.call(.post, "/api/orders/\(order)/mark-paid", store: store)
            #expect(paid.json["status"] as? String == "paid")
            #expect(try await client.call(.post, "/api/orders/\(order)/mark-paid", store: store).status == .conflict)
            let payments = try await client.call(.get, "/api/orders/\(order)/payments", store: store)
            let payment = try #require((payments.json["data"] as? [[String: Any]])?.first)
            #expect(payment["provider"] as? String == "manual")
            #expect((payment["captured"] as? [String: Any])?["amount"] as? Int == 3000)
            let refund = try await client.call(.post, "/api/orders/\(order)/refunds", store: store, json: ["amount": 1000])
            #expect(refund.status == .created)
            #expect(try await client.call(.post, "/api/orders/prd_nothing/mark-paid", store: store).status == .notFound)
        }
    }

    @Test("a declined card is a 402 and leaves the order pending; the extra-step card pays after the step")
    func declinedAndExtraStep() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let (store, order, secret) = try await pendingOrder(client, "Decline Shop")
            let declined = try await client.call(
                .post, "/api/orders/\(order)/pay", store: store, staff: false, json: Self.card("4000000000000002"), headers: [.cartSecret: secret])
            #expect(declined.status.code == 402)
            await platform.services.paymentRelay.idle()
            #expect(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String == "pending")
            let payments = try await client.call(.get, "/api/orders/\(order)/payments", store: store)
            #expect((payments.json["data"] as? [[String: Any]])?.first?["status"] as? String == "failed")

            let bad = try await client.call(
                .post, "/api/orders/\(order)/pay", store: store, staff: false, json: Self.card("4242424242424241"), headers: [.cartSecret: secret])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.errorFields == ["card.number"])

            let extra = try await client.call(
                .post, "/api/orders/\(order)/pay", store: store, staff: false, json: Self.card("4000002500003155"), headers: [.cartSecret: secret])
            #expect(extra.status == .created)
            #expect(extra.json["status"] as? String == "requires_action")
            let url = try #require((extra.json["nextAction"] as? [String: Any])?["url"] as? String)
            await platform.services.paymentRelay.idle()
            #expect(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String == "pending")
            #expect(try await client.call(.post, url, store: store, staff: false, headers: [.cartSecret: secret]).status == .accepted)
            await platform.services.paymentRelay.idle()
            #expect(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String == "paid")
        }
    }

    @Test("webhooks: unknown provider 404; bad signatures 400; duplicates and late events change nothing")
    func webhooks() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let (store, order, secret) = try await pendingOrder(client, "Hook Shop")
            let paid = try await client.call(
                .post, "/api/orders/\(order)/pay", store: store, staff: false, json: Self.card("4242424242424242"), headers: [.cartSecret: secret])
            await platform.services.paymentRelay.idle()
            let paymentID = try #require(paid.json["id"] as? String)
            let location = try #require(try await platform.services.registry.find(idOrSlug: store.slug)?.database)
            let (reference, whsec) = try await platform.services.databases.withDatabase(tenantID: store.id, location: location) { database in
                let payments = Payments(database: database)
                return (try await payments.reference(paymentID: paymentID)?.reference ?? "", try await payments.webhookSecret(provider: "test"))
            }

            func post(_ body: Data, signature: String?, provider: String = "test") async throws -> TestResponse {
                var headers: HTTPFields = [HTTPField.Name("Host")!: store.host, .contentType: "application/json"]
                if let signature { headers[HTTPField.Name("Stripe-Signature")!] = signature }
                return try await client.execute(uri: "/webhooks/payments/\(provider)", method: .post, headers: headers, body: ByteBuffer(data: body))
            }
            let refund = StripeEvents.body(id: "evt_refund_1", type: "charge.refunded", reference: reference, amountRefunded: 2000)
            #expect(try await post(refund, signature: WebhookSignature.header(for: refund, secret: whsec), provider: "paypal").status == .notFound)
            #expect(try await post(refund, signature: nil).status == .badRequest)
            #expect(try await post(refund, signature: WebhookSignature.header(for: refund, secret: "whsec_wrong")).status == .badRequest)
            #expect(
                try await post(refund, signature: WebhookSignature.header(for: refund, secret: whsec, time: Date().addingTimeInterval(-600))).status
                    == .badRequest)
            var tampered = refund
            tampered.append(contentsOf: Array(" ".utf8))
            #expect(try await post(tampered, signature: WebhookSignature.header(for: refund, secret: whsec)).status == .badRequest)
            #expect(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String == "paid")

            let applied = try await post(refund, signature: WebhookSignature.header(for: refund, secret: whsec))
            #expect(applied.status == .ok)
            #expect(applied.json["changed"] as? Bool == true)
            #expect(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String == "partially_refunded")
            // The same event again, and a late "succeeded": nothing moves backwards.
            #expect(try await post(refund, signature: WebhookSignature.header(for: refund, secret: whsec)).json["changed"] as? Bool == false)
            let late = StripeEvents.body(id: "evt_late_success", type: "payment_intent.succeeded", reference: reference)
            #expect(try await post(late, signature: WebhookSignature.header(for: late, secret: whsec)).json["changed"] as? Bool == false)
            // An older refund total arriving after a newer one changes nothing either.
            let older = StripeEvents.body(id: "evt_refund_0", type: "charge.refunded", reference: reference, amountRefunded: 1000)
            #expect(try await post(older, signature: WebhookSignature.header(for: older, secret: whsec)).json["changed"] as? Bool == false)
            let orderNow = try await client.call(.get, "/api/orders/\(order)", store: store)
            #expect(orderNow.json["status"] as? String == "partially_refunded")
            #expect((orderNow.json["refundedTotal"] as? [String: Any])?["amount"] as? Int == 2000)
        }
    }

    @Test("a refund the provider's event recorded first is not added again")
    func refundRecordedByEventFirst() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let (store, order, secret) = try await pendingOrder(client, "Event First Shop")
            #expect(
                try await client.call(
                    .post, "/api/orders/\(order)/pay", store: store, staff: false, json: Self.card("4242424242424242"), headers: [.cartSecret: secret]
                ).status == .created)
            await platform.services.paymentRelay.idle()
            let location = try #require(try await platform.services.registry.find(id: store.id)).database
            let refund = try await platform.services.databases.withDatabase(tenantID: store.id, location: location) { database in
                let payments = Payments(database: database)
                let check = try await payments.refundable(orderID: order, amount: 1000)
                let known = try #require(try await payments.reference(paymentID: check.paymentID))
                // The provider refunded and its event arrived before the refund was recorded here.
                _ = try await payments.apply(PaymentEvent(id: "evt_first", reference: known.reference, kind: .refunded(total: 1000)), provider: known.provider)
                return try await payments.refund(orderID: order, amount: 1000, restock: false, actor: "test", refundedBefore: check.refundedBefore)
            }
            #expect(refund.refundedTotal.amount == 1000)
            #expect((try await client.call(.get, "/api/orders/\(order)", store: store).json["refundedTotal"] as? [String: Any])?["amount"] as? Int == 1000)
        }
    }

    @Test("a queued provider event older than a day is dropped, not applied; a fresh one is applied")
    func staleProviderEventsDropped() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let (store, order, _) = try await pendingOrder(client, "Stale Event Shop")
            let tenant = try #require(try await platform.services.registry.find(id: store.id))
            let now = Date()
            let paymentID = try await platform.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                let payments = Payments(database: database)
                let due = try await payments.amountDue(orderID: order)
                let start = Payments.Start(
                    orderID: order, provider: "test", reference: "pi_test_stale", status: .authorized, cardBrand: nil, cardLast4: nil, nextAction: nil,
                    failureMessage: nil)
                let payment = try await payments.record(start, amount: due)
                try await payments.queue(
                    .init(
                        id: "evt_old", provider: "test", body: StripeEvents.body(id: "evt_old", type: "payment_intent.succeeded", reference: "pi_test_stale")),
                    now: now.addingTimeInterval(-2 * 86400))
                return payment.id
            }
            await platform.services.paymentRelay.flush(tenant: tenant, now: now)
            let (status, left) = try await platform.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                let payments = Payments(database: database)
                return (try await payments.find(id: paymentID)?.status, try await payments.pendingEvents(before: .distantFuture).map(\.id))
            }
            #expect(status == .authorized, "the day-old event was dropped, not applied")
            #expect(left.isEmpty)

            // The same event queued a minute ago is applied.
            try await platform.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                try await Payments(database: database).queue(
                    .init(
                        id: "evt_new", provider: "test", body: StripeEvents.body(id: "evt_new", type: "payment_intent.succeeded", reference: "pi_test_stale")),
                    now: now.addingTimeInterval(-60))
            }
            await platform.services.paymentRelay.flush(tenant: tenant, now: now)
            #expect(try await client.call(.get, "/api/orders/\(order)", store: store).json["status"] as? String == "paid")
        }
    }
}
