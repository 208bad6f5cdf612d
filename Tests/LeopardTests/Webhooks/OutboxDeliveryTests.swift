import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardCommerce
import LeopardPayments
import LeopardStorage
import NIOCore
import Testing

@testable import LeopardOperations
@testable import LeopardServer

@Suite("Merchant webhooks: outbox and deliveries")
struct OutboxDeliveryTests {
    /// Adds an endpoint for `events`; returns its id and signing secret.
    func addEndpoint(_ client: some TestClientProtocol, _ store: StoreFixture, url: String, events: [String]) async throws -> (id: String, secret: String) {
        let response = try await client.call(.post, "/api/webhooks", store: store, json: ["url": url, "events": events])
        try #require(response.status == .created, "\(response.text)")
        let endpoint = try #require(response.json["endpoint"] as? [String: Any])
        return (try #require(endpoint["id"] as? String), try #require(response.json["secret"] as? String))
    }

    func deliveries(_ client: some TestClientProtocol, _ store: StoreFixture, endpoint: String) async throws -> [[String: Any]] {
        let response = try await client.call(.get, "/api/webhooks/\(endpoint)/deliveries", store: store)
        try #require(response.status == .ok, "\(response.text)")
        return response.json["data"] as? [[String: Any]] ?? []
    }

    @Test(
        "an order.created event reaches an endpoint that fails twice, signed, on the backoff schedule, and is not sent again once acknowledged",
        arguments: TestPlatform.storages)
    func retriesUntilAcknowledged(storage: TestPlatform.Storage) async throws {
        let receiver = WebhookReceiver(failures: 2)
        try await receiver.serve { url in
            try await TestPlatform.withPlatform(storage) { platform, client in
                let store = try await client.makeStore("Hook Shop")
                let endpoint = try await addEndpoint(client, store, url: url, events: ["order.created"])
                let product = try await client.makeProduct(store, title: "Kettle", price: 3000, stock: 50)
                let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
                let cart = try await client.makeCart(store, variantID: variant, quantity: 1)
                let order = try await client.call(
                    .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
                try #require(order.status == .created)
                let orderID = try #require(order.json["id"] as? String)

                let dispatcher = platform.services.webhookDispatcher
                let start = Date()
                #expect(await dispatcher.deliverDue(tenantID: store.id, now: { start }) == 1)
                // Not due again before the backoff (1 minute after the first failure).
                #expect(await dispatcher.deliverDue(tenantID: store.id, now: { start.addingTimeInterval(30) }) == 0)
                #expect(await dispatcher.deliverDue(tenantID: store.id, now: { start.addingTimeInterval(61) }) == 1)
                var log = try await deliveries(client, store, endpoint: endpoint.id)
                #expect(log.count == 1)
                #expect(log.first?["status"] as? String == "pending")
                #expect(log.first?["lastStatusCode"] as? Int == 500)
                // Then two minutes.
                #expect(await dispatcher.deliverDue(tenantID: store.id, now: { start.addingTimeInterval(61 + 100) }) == 0)
                #expect(await dispatcher.deliverDue(tenantID: store.id, now: { start.addingTimeInterval(61 + 121) }) == 1)
                // Acknowledged: never sent again.
                #expect(await dispatcher.deliverDue(tenantID: store.id, now: { start.addingTimeInterval(3 * 86400) }) == 0)

                log = try await deliveries(client, store, endpoint: endpoint.id)
                #expect(log.first?["status"] as? String == "succeeded")
                #expect(log.first?["attempts"] as? Int == 3)
                let received = await receiver.received
                #expect(received.count == 3)
                #expect(received.map { $0.header("X-Leopard-Attempt") } == ["1", "2", "3"])
                #expect(Set(received.map { $0.body }).count == 1, "every attempt carries the same body")
                for request in received {
                    #expect(request.header("X-Leopard-Event") == "order.created")
                    let time = Date(
                        timeIntervalSince1970: (Double(request.header("X-Leopard-Signature")?.split(separator: ",").first?.dropFirst(2) ?? "0") ?? 0))
                    #expect(throws: Never.self) {
                        try WebhookSignature.verify(header: request.header("X-Leopard-Signature"), body: request.body, secret: endpoint.secret, now: time)
                    }
                    #expect(throws: WebhookSignature.Failure.self) {
                        try WebhookSignature.verify(header: request.header("X-Leopard-Signature"), body: request.body, secret: "whsec_wrong", now: time)
                    }
                }
                let event = try #require(received.last?.json)
                #expect(event["type"] as? String == "order.created")
                #expect(((event["data"] as? [String: Any])?["object"] as? [String: Any])?["id"] as? String == orderID)
                #expect((event["store"] as? [String: Any])?["slug"] as? String == store.slug)
            }
        }
    }

    @Test("a store being moved sends nothing (its deliveries stay queued) until the move ends")
    func nothingSentWhileMoving() async throws {
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            try await TestPlatform.withPlatform(.sqlite) { platform, client in
                let store = try await client.makeStore("Moving Hooks")
                _ = try await addEndpoint(client, store, url: url, events: ["product.created"])
                _ = try await client.makeProduct(store, title: "Lamp", price: 900, stock: 3)
                let tenant = try await platform.tenant(store.id)
                let target = TenantDatabaseLocation(kind: .sqlite, name: "elsewhere.sqlite")
                _ = try #require(try await platform.services.registry.beginMove(id: store.id, from: tenant.database, to: target))
                await platform.services.directory.invalidate(id: store.id, slug: store.slug)
                let dispatcher = platform.services.webhookDispatcher
                #expect(await dispatcher.deliverDue(tenantID: store.id) == 0)
                #expect(await receiver.received.isEmpty)
                _ = try #require(try await platform.services.registry.cancelMove(id: store.id, target: target))
                await platform.services.directory.invalidate(id: store.id, slug: store.slug)
                #expect(await dispatcher.deliverDue(tenantID: store.id) == 1)
                #expect(await receiver.received.count == 1)
            }
        }
    }

    @Test("a delivery that never succeeds is given up after 24 hours; redelivery sends it again")
    func givesUpThenRedelivers() async throws {
        let receiver = WebhookReceiver(failures: 1000)
        try await receiver.serve { url in
            try await TestPlatform.withPlatform { platform, client in
                let store = try await client.makeStore("Flaky Hook Shop")
                let endpoint = try await addEndpoint(client, store, url: url, events: ["product.created", "product.deleted"])
                let product = try await client.makeProduct(store, title: "Lamp", price: 1000, stock: 1)
                let dispatcher = platform.services.webhookDispatcher
                var now = Date()
                var attempts = 0
                for _ in 0..<40 {
                    let sent = await dispatcher.deliverDue(tenantID: store.id, now: { [now] in now })
                    attempts += sent
                    now = now.addingTimeInterval(4 * 3600 + 1)
                }
                #expect(attempts > 3 && attempts < 20, "\(attempts) attempts")
                var log = try await deliveries(client, store, endpoint: endpoint.id)
                #expect(log.first?["status"] as? String == "failed")
                #expect(log.first?["attempts"] as? Int == attempts)

                await receiver.failNext(0)
                let deliveryID = try #require(log.first?["id"] as? String)
                let redeliver = try await client.call(.post, "/api/webhooks/\(endpoint.id)/deliveries/\(deliveryID)/redeliver", store: store)
                #expect(redeliver.status == .accepted, "\(redeliver.text)")
                #expect(await dispatcher.deliverDue(tenantID: store.id) == 1)
                log = try await deliveries(client, store, endpoint: endpoint.id)
                #expect(log.first?["status"] as? String == "succeeded")
                #expect(try await client.call(.post, "/api/webhooks/\(endpoint.id)/deliveries/whd_nope/redeliver", store: store).status == .notFound)

                // Deleting the product queues product.deleted; deleting the endpoint drops what is pending.
                let productID = try #require(product["id"] as? String)
                #expect(try await client.call(.delete, "/api/products/\(productID)", store: store).status == .noContent)
                #expect(try await deliveries(client, store, endpoint: endpoint.id).first?["topic"] as? String == "product.deleted")
                #expect(try await client.call(.delete, "/api/webhooks/\(endpoint.id)", store: store).status == .noContent)
                #expect(await dispatcher.deliverDue(tenantID: store.id) == 0)
                #expect(try await client.call(.get, "/api/webhooks/\(endpoint.id)/deliveries", store: store).status == .notFound)
            }
        }
    }

    @Test("events queued before a restart are delivered after it, once", arguments: TestPlatform.storages)
    func deliveredAfterRestart(storage: TestPlatform.Storage) async throws {
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            if storage == .postgres { await PostgresPlatformSlots.shared.acquire() }
            do {
                try await restartAndDeliver(storage: storage, receiver: receiver, url: url)
                if storage == .postgres { await PostgresPlatformSlots.shared.release() }
            } catch {
                if storage == .postgres { await PostgresPlatformSlots.shared.release() }
                throw error
            }
        }
    }

    func restartAndDeliver(storage: TestPlatform.Storage, receiver: WebhookReceiver, url: String) async throws {
        let first = try await TestPlatform.start(storage)
        let (store, productID) = try await first.withClient { client in
            let store = try await client.makeStore("Restart Hook Shop")
            _ = try await addEndpoint(client, store, url: url, events: ["product.created", "product.updated"])
            let product = try await client.makeProduct(store, title: "Clock", price: 1500, stock: 3)
            let id = try #require(product["id"] as? String)
            #expect(try await client.call(.patch, "/api/products/\(id)", store: store, json: ["title": "Wall clock"]).status == .ok)
            return (store, id)
        }
        // The server stops before its worker sent anything, and starts again.
        let second = try await first.restarted()
        do {
            #expect(await second.services.webhookDispatcher.runPass() == 2)
            #expect(await second.services.webhookDispatcher.runPass(now: { Date().addingTimeInterval(86400) }) == 0)
            let received = await receiver.received
            #expect(received.compactMap { $0.header("X-Leopard-Event") }.sorted() == ["product.created", "product.updated"])
            #expect(received.allSatisfy { $0.header("X-Leopard-Store") == store.slug })
            let updated = try #require(received.first { $0.header("X-Leopard-Event") == "product.updated" }?.json)
            let object = try #require((updated["data"] as? [String: Any])?["object"] as? [String: Any])
            #expect(object["id"] as? String == productID)
            #expect(object["title"] as? String == "Wall clock")
            await second.stop()
        } catch {
            await second.stop()
            throw error
        }
    }

    @Test("beside the server, the worker delivers as soon as a write queues an event, without waiting for its poll", .timeLimit(.minutes(3)))
    func liveWorker() async throws {
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            // Polls once an hour: only the nudge after each write can explain a prompt delivery.
            try await TestPlatform.withPlatform(configure: { $0.webhookPollInterval = .seconds(3600) }) { _, client in
                let store = try await client.makeStore("Live Hook Shop")
                _ = try await addEndpoint(client, store, url: url, events: ["product.created"])
                _ = try await client.makeProduct(store, title: "Prompt", price: 100, stock: 1)
                // Bounded from the write alone: a slow start on a loaded machine is not a lost nudge.
                let arrived = await receiver.waitFor(1, within: .seconds(30))
                #expect(arrived, "no delivery within 30 s of the write (the worker polls hourly here)")
                #expect(await receiver.received.first?.header("X-Leopard-Event") == "product.created")
            }
        }
    }

    @Test("bad endpoints are refused with field errors and nothing is made; only the owner manages webhooks; stores never see each other's")
    func badInputAndIsolation() async throws {
        try await TestPlatform.withPlatform(configure: { $0.allowPrivateWebhookTargets = false }) { platform, client in
            let store = try await client.makeStore("Strict Hook Shop")
            let cases: [([String: Any], String)] = [
                (["url": "ftp://example.com/x", "events": ["order.paid"]], "url"),
                (["url": "not a url", "events": ["order.paid"]], "url"),
                (["url": "http://127.0.0.1:9/x", "events": ["order.paid"]], "url"),
                (["url": "http://169.254.169.254/latest", "events": ["order.paid"]], "url"),
                (["url": "http://127.1:8080/x", "events": ["order.paid"]], "url"),
                (["url": "http://2130706433/x", "events": ["order.paid"]], "url"),
                (["url": "http://0x7f.0.0.1/x", "events": ["order.paid"]], "url"),
                (["url": "http://[0:0:0:0:0:0:0:1]/x", "events": ["order.paid"]], "url"),
                (["url": "http://[::ffff:10.0.0.1]/x", "events": ["order.paid"]], "url"),
                (["url": "http://[fd00::1]/x", "events": ["order.paid"]], "url"),
                (["url": "https://user:pw@example.com/x", "events": ["order.paid"]], "url"),
                (["url": "https://example.com/x", "events": []], "events"),
                (["url": "https://example.com/x", "events": ["order.exploded"]], "events.0"),
            ]
            for (body, field) in cases {
                let response = try await client.call(.post, "/api/webhooks", store: store, json: body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(response.errorFields.contains(field), "\(body): \(response.text)")
            }
            let list = try await client.call(.get, "/api/webhooks", store: store)
            #expect((list.json["data"] as? [Any])?.isEmpty == true)
            #expect(
                try await client.call(.post, "/api/webhooks", store: store, staff: false, json: ["url": "https://example.com/x", "events": ["order.paid"]])
                    .status == .unauthorized)

            // Public addresses in any spelling are fine.
            _ = try await addEndpoint(client, store, url: "https://8.8.8.8/hook", events: ["order.paid"])
            _ = try await addEndpoint(client, store, url: "https://[2001:db8::1]/hook", events: ["order.paid"])
            let made = try await addEndpoint(client, store, url: "https://hooks.example.com/leopard", events: ["order.paid", "order.paid", "inventory.low"])
            let read = try await client.call(.get, "/api/webhooks/\(made.id)", store: store)
            #expect(read.json["topics"] as? [String] == ["order.paid", "inventory.low"])
            #expect(!read.text.contains(made.secret), "the secret is shown once")
            let other = try await client.makeStore("Other Hook Shop")
            #expect(try await client.call(.get, "/api/webhooks/\(made.id)", store: other).status == .notFound)
            #expect(try await client.call(.delete, "/api/webhooks/\(made.id)", store: other).status == .notFound)
            #expect(try await client.call(.get, "/api/webhooks/\(made.id)/deliveries", store: other).status == .notFound)
            #expect((try await client.call(.get, "/api/webhooks", store: other).json["data"] as? [Any])?.isEmpty == true)
            // The secret is sealed at rest.
            let sealed = try await platform.services.databases.withDatabase(
                tenantID: store.id, location: try #require(try await platform.services.registry.find(id: store.id)).database
            ) { database in
                try await database.read { sql in
                    try await sql.raw("SELECT secret_sealed FROM webhook_endpoints").first()?.decode(column: "secret_sealed", as: String.self)
                }
            }
            #expect(sealed != nil && sealed != made.secret && !(sealed ?? "").contains(made.secret))
        }
    }

    @Test("order, refund, fulfilment and low-stock events are written with the change, one per subscriber")
    func eventsFollowChanges() async throws {
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            try await TestPlatform.withPlatform { platform, client in
                let store = try await client.makeStore("Event Shop")
                #expect(try await client.call(.get, "/api/settings", store: store).json["lowStockThreshold"] as? Int == 5)
                let bad = try await client.call(.patch, "/api/settings", store: store, json: ["lowStockThreshold": -1])
                #expect(bad.status == .unprocessableContent && bad.errorFields == ["lowStockThreshold"])
                let topics = ["order.created", "order.paid", "order.fulfilled", "order.cancelled", "order.refunded", "inventory.low"]
                _ = try await addEndpoint(client, store, url: url, events: topics)
                _ = try await addEndpoint(client, store, url: url, events: ["order.paid"])
                let product = try await client.makeProduct(store, title: "Mug", price: 1200, stock: 7)
                let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
                // 7 → 4 crosses the default threshold (5): one inventory.low; 4 → 3 does not.
                for quantity in [3, 1] {
                    let cart = try await client.makeCart(store, variantID: variant, quantity: quantity)
                    let order = try await client.call(
                        .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false,
                        json: checkoutBody.merging(["paymentMethod": "bank_transfer"]) { $1 }, headers: [.cartSecret: cart.secret])
                    try #require(order.status == .created)
                    let id = try #require(order.json["id"] as? String)
                    if quantity == 3 {
                        #expect(try await client.call(.post, "/api/orders/\(id)/mark-paid", store: store).status == .ok)
                        #expect(try await client.call(.post, "/api/orders/\(id)/fulfill", store: store).status == .ok)
                        #expect(try await client.call(.post, "/api/orders/\(id)/refunds", store: store, json: ["amount": 100]).status == .created)
                    } else {
                        #expect(try await client.call(.post, "/api/orders/\(id)/cancel", store: store).status == .ok)
                        // A refused change announces nothing.
                        #expect(try await client.call(.post, "/api/orders/\(id)/fulfill", store: store).status == .conflict)
                    }
                }
                #expect(await platform.services.webhookDispatcher.deliverDue(tenantID: store.id) == 8)
                let topicsSeen = await receiver.received.compactMap { $0.header("X-Leopard-Event") }.sorted()
                #expect(
                    topicsSeen
                        == [
                            "inventory.low", "order.cancelled", "order.created", "order.created", "order.fulfilled", "order.paid", "order.paid",
                            "order.refunded",
                        ].sorted(), "\(topicsSeen)")
                // The store's own threshold: 12 → 9 crosses 10.
                #expect(try await client.call(.patch, "/api/settings", store: store, json: ["lowStockThreshold": 10]).status == .ok)
                let bowl = try await client.makeProduct(store, title: "Bowl", price: 900, stock: 12)
                let bowlVariant = try #require((bowl["variants"] as? [[String: Any]])?.first?["id"] as? String)
                let bowlCart = try await client.makeCart(store, variantID: bowlVariant, quantity: 3)
                #expect(
                    try await client.call(
                        .post, "/api/carts/\(bowlCart.id)/checkout", store: store, staff: false, json: checkoutBody,
                        headers: [.cartSecret: bowlCart.secret]
                    ).status == .created)
                #expect(await platform.services.webhookDispatcher.deliverDue(tenantID: store.id) == 2)
                let low = await receiver.received.filter { $0.header("X-Leopard-Event") == "inventory.low" }
                let lowObject = try #require((low.last?.json["data"] as? [String: Any])?["object"] as? [String: Any])
                #expect(low.count == 2)
                #expect(lowObject["stock"] as? Int == 9 && lowObject["threshold"] as? Int == 10)
            }
        }
    }
}
