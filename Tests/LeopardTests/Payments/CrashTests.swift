import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SQLKit
import Testing

@testable import LeopardOperations
@testable import LeopardServer

/// A real `leopard serve` killed with SIGKILL in the middle of a burst of checkouts and
/// payments, then started again: every acknowledged write is there, no order lacks its stock
/// movement, no payment counts twice, no outbox event is lost, and deliveries acknowledged
/// before the kill are not sent again.
@Suite("Crash: SIGKILL in a burst of checkouts and payments")
struct CrashTests {
    static let operatorToken = "crash-operator-token"
    static var card: [String: Any] { ["card": ["number": "4242424242424242", "expMonth": 12, "expYear": 2040, "cvc": "123"]] }
    static var checkout: [String: Any] {
        [
            "email": "shopper@crash.test",
            "shippingAddress": ["name": "Ada", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"],
        ]
    }

    /// A JSON call on the platform address, to a store through `X-Tenant-ID`.
    struct Caller: Sendable {
        let base: String
        let tenant: String?
        let token: String?

        func call(
            _ method: HTTPMethod, _ path: String, json: [String: Any]? = nil, headers: [String: String] = [:]
        ) async throws -> (status: Int, json: [String: Any]) {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            if let tenant { request.headers.add(name: "X-Tenant-ID", value: tenant) }
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let json {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
            }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 22)
            return (Int(response.status.code), (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:])
        }
    }

    /// Counts acknowledged work and pulls the plug once enough payments went through.
    actor Burst {
        var orders: [String] = []
        var payments: [String] = []
        var killed = false
        let killAfter: Int
        let server: ServerProcess

        init(killAfter: Int, server: ServerProcess) {
            self.killAfter = killAfter
            self.server = server
        }

        func ordered(_ id: String) { orders.append(id) }

        func paid(_ id: String) {
            payments.append(id)
            if payments.count >= killAfter && !killed {
                killed = true
                server.kill()
            }
        }
    }

    @Test(
        "no order without its stock movement, no payment twice, no event lost",
        .enabled(if: ServerProcess.executable != nil, "needs the leopard executable built beside the tests"),
        arguments: TestPlatform.storages)
    func killMidBurst(storage: TestPlatform.Storage) async throws {
        if storage == .postgres { await PostgresPlatformSlots.shared.acquire() }
        let directory = try TemporaryDirectory("leopard-crash")
        do {
            try await run(storage: storage, directory: directory)
        } catch {
            directory.remove()
            if storage == .postgres { await PostgresPlatformSlots.shared.release() }
            throw error
        }
        directory.remove()
        if storage == .postgres { await PostgresPlatformSlots.shared.release() }
    }

    func run(storage: TestPlatform.Storage, directory: TemporaryDirectory) async throws {
        let databaseURL: String? = storage == .postgres ? try await PostgresTestCluster.shared.makeDatabase() : nil
        let environment = ["LEOPARD_OPERATOR_TOKEN": Self.operatorToken, "LEOPARD_PASSWORD_HASH_COST": "4", "LEOPARD_WEBHOOK_ALLOW_PRIVATE": "1"]
        let receiver = WebhookReceiver()
        try await receiver.serve { hookURL in
            let server = try await ServerProcess.start(dataDirectory: directory.url, databaseURL: databaseURL, environment: environment)
            let platform = Caller(base: "http://127.0.0.1:\(server.port)", tenant: nil, token: nil)
            let signup = try await platform.call(
                .POST, "/api/tenants", json: ["storeName": "Crash Shop", "ownerEmail": "owner@crash.test", "ownerPassword": "correct horse battery"])
            try #require(signup.status == 201, "\(signup.json)")
            let tenant = try #require(signup.json["id"] as? String)
            let login = try await Caller(base: platform.base, tenant: tenant, token: nil).call(
                .POST, "/api/auth/login", json: ["email": "owner@crash.test", "password": "correct horse battery"])
            let staff = Caller(base: platform.base, tenant: tenant, token: try #require(login.json["token"] as? String))
            #expect(try await staff.call(.POST, "/api/webhooks", json: ["url": hookURL, "events": ["order.created", "order.paid"]]).status == 201)
            var variants: [String] = []
            for index in 0..<4 {
                let product = try await staff.call(.POST, "/api/products", json: ["title": "Crash item \(index)", "price": 1000 + index, "stock": 5000])
                try #require(product.status == 201)
                variants.append(try #require((product.json["variants"] as? [[String: Any]])?.first?["id"] as? String))
            }

            // The burst: 12 shoppers at a time; the plug is pulled after 40 payments.
            let burst = Burst(killAfter: 40, server: server)
            let shopper = Caller(base: platform.base, tenant: tenant, token: nil)
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<300 {
                    if index >= 12 { await group.next() }
                    if await burst.killed { break }
                    let variant = variants[index % variants.count]
                    group.addTask {
                        do {
                            let cart = try await shopper.call(.POST, "/api/carts", json: ["items": [["variantId": variant, "quantity": 1 + index % 3]]])
                            guard cart.status == 201, let cartID = cart.json["id"] as? String, let secret = cart.json["secret"] as? String else { return }
                            let order = try await shopper.call(
                                .POST, "/api/carts/\(cartID)/checkout", json: Self.checkout,
                                headers: ["X-Cart-Secret": secret, "Idempotency-Key": "checkout-\(index)"])
                            guard order.status == 201, let orderID = order.json["id"] as? String else { return }
                            await burst.ordered(orderID)
                            let payment = try await shopper.call(
                                .POST, "/api/orders/\(orderID)/pay", json: Self.card, headers: ["X-Cart-Secret": secret, "Idempotency-Key": "pay-\(index)"])
                            guard payment.status == 201, let paymentID = payment.json["id"] as? String else { return }
                            await burst.paid(paymentID)
                        } catch {
                            // The server was killed under this request.
                        }
                    }
                }
            }
            #expect(await burst.killed)
            let ackedOrders = await burst.orders
            let ackedPayments = await burst.payments

            // Started again, it serves, with the session made before the crash.
            let again = try await ServerProcess.start(dataDirectory: directory.url, databaseURL: databaseURL, environment: environment)
            #expect(
                try await Caller(base: "http://127.0.0.1:\(again.port)", tenant: tenant, token: staff.token).call(.GET, "/api/orders?limit=1").status == 200)
            #expect(again.stop(), "leopard serve shuts down cleanly on SIGTERM")

            // The platform's own worker pass, an hour on: leases of the killed process have run out.
            var configuration = TestPlatform.configuration(directory: directory, databaseURL: databaseURL)
            configuration.operatorToken = Self.operatorToken
            var logger = Logger(label: "leopard.crash")
            logger.logLevel = .critical
            let services = try await LeopardServices.start(configuration, logger: logger)
            do {
                try await check(
                    services: services, tenant: tenant, receiver: receiver, ackedOrders: ackedOrders, ackedPayments: ackedPayments, variants: variants)
                await services.shutdown()
            } catch {
                await services.shutdown()
                throw error
            }
        }
    }

    func check(
        services: LeopardServices, tenant: String, receiver: WebhookReceiver, ackedOrders: [String], ackedPayments: [String], variants: [String]
    ) async throws {
        let location = try #require(try await services.registry.find(id: tenant)).database
        func rows(_ query: SQLQueryString) async throws -> [any SQLRow] {
            try await services.databases.withDatabase(tenantID: tenant, location: location) { database in
                try await database.read { sql in try await sql.raw(query).all() }
            }
        }
        let acknowledgedBefore = Set(
            try await rows("SELECT id FROM webhook_deliveries WHERE status = 'succeeded'").map { try $0.decode(column: "id", as: String.self) })
        let leftAuthorized = try await rows("SELECT id FROM payments WHERE status = 'authorized'").count
        let leftEvents = try await rows("SELECT id FROM provider_outbox").count
        let leftDeliveries = try await rows("SELECT id FROM webhook_deliveries WHERE status = 'pending'").count
        print(
            "crash: \(ackedOrders.count) orders and \(ackedPayments.count) payments acknowledged; after restart \(leftAuthorized) payments authorized, \(leftEvents) provider events and \(leftDeliveries) deliveries pending"
        )
        // Passes an hour on, then further on while a delivery is still waiting for a retry
        // (one that timed out on a loaded machine is retried later, by its backoff).
        for pass in 0..<6 {
            let later = Date().addingTimeInterval(3600 * Double(1 + 6 * max(pass - 1, 0)))
            _ = await services.webhookDispatcher.deliverDue(tenantID: tenant, now: { later })
            if pass >= 1, try await rows("SELECT id FROM webhook_deliveries WHERE status <> 'succeeded'").isEmpty { break }
        }

        // Every acknowledged write survived.
        let orders = try await rows("SELECT id, status, total FROM orders")
        let orderIDs = Set(try orders.map { try $0.decode(column: "id", as: String.self) })
        #expect(Set(ackedOrders).isSubset(of: orderIDs), "acknowledged orders lost")
        let payments = try await rows("SELECT id, order_id, status, captured_amount FROM payments")
        #expect(Set(ackedPayments).isSubset(of: Set(try payments.map { try $0.decode(column: "id", as: String.self) })), "acknowledged payments lost")
        #expect(orders.count >= 40)

        // No order without its stock movement; stock adds up per variant (an hour on, the
        // unpaid card orders have expired and given theirs back).
        let missing = try await rows(
            """
            SELECT o.id FROM orders o
            WHERE (SELECT COALESCE(SUM(quantity), 0) FROM order_lines l WHERE l.order_id = o.id)
               <> (SELECT COALESCE(SUM(-delta), 0) FROM inventory_adjustments a WHERE a.reference = o.id AND a.reason = 'order')
            """)
        #expect(missing.isEmpty, "orders without their stock movement: \(missing.count)")
        for variant in variants {
            let stock = try await rows("SELECT stock FROM product_variants WHERE id = \(bind: variant)").first?.decode(column: "stock", as: Int.self) ?? -1
            let sold =
                try await rows(
                    """
                    SELECT COALESCE(SUM(l.quantity), 0) AS n FROM order_lines l JOIN orders o ON o.id = l.order_id
                    WHERE l.variant_id = \(bind: variant) AND o.expired_at IS NULL
                    """
                ).first?.decode(column: "n", as: Int.self) ?? -1
            #expect(stock == 5000 - sold, "variant \(variant): stock \(stock), sold \(sold)")
        }

        // No payment counted twice; every test payment reached its end; paid orders match captures.
        let doubled = try await rows(
            "SELECT order_id FROM payments WHERE status IN ('requires_action', 'authorized', 'captured') GROUP BY order_id HAVING COUNT(*) > 1")
        #expect(doubled.isEmpty, "orders with two live payments: \(doubled.count)")
        #expect(try payments.allSatisfy { try $0.decode(column: "status", as: String.self) == "captured" }, "a payment was left authorized")
        let captured = Set(try payments.map { try $0.decode(column: "order_id", as: String.self) })
        for order in orders {
            let id = try order.decode(column: "id", as: String.self)
            #expect((try order.decode(column: "status", as: String.self) == "paid") == captured.contains(id), "order \(id)")
        }
        #expect(try await rows("SELECT id FROM provider_outbox").isEmpty)

        // No outbox event lost: one order.created per order, one order.paid per paid order, all
        // delivered; deliveries acknowledged before the crash were not sent again.
        let events = try await rows("SELECT id, topic, object_id FROM outbox_events")
        let created = Set(
            try events.filter { try $0.decode(column: "topic", as: String.self) == "order.created" }.map { try $0.decode(column: "object_id", as: String.self) }
        )
        let paid = Set(
            try events.filter { try $0.decode(column: "topic", as: String.self) == "order.paid" }.map { try $0.decode(column: "object_id", as: String.self) })
        #expect(created == orderIDs)
        #expect(paid == captured)
        #expect(try await rows("SELECT id FROM webhook_deliveries WHERE status <> 'succeeded'").isEmpty)
        let received = await receiver.received
        let receivedEvents = Set(received.compactMap { $0.header("X-Leopard-Event-Id") })
        #expect(Set(try events.map { try $0.decode(column: "id", as: String.self) }).isSubset(of: receivedEvents), "events never delivered")
        var sends: [String: Int] = [:]
        for request in received { if let id = request.header("X-Leopard-Delivery-Id") { sends[id, default: 0] += 1 } }
        #expect(acknowledgedBefore.allSatisfy { sends[$0] == 1 }, "an acknowledged delivery was sent again")
    }
}
