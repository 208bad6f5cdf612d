import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import LeopardOperations
@testable import LeopardServer

@Suite("Metrics")
struct MetricsTests {
    /// The value of one series in the exposition text, or nil.
    static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test("GET /metrics counts requests by route template and status, signups, orders, declined payments and the store databases")
    func metricsCountWhatHappened() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Metric Shop")
            let product = try ProductRef(try await client.makeProduct(store, title: "Jug", price: 1000, stock: 5))
            for _ in 0..<3 { _ = try await client.call(.get, "/api/products/\(product.id)", host: store.host) }
            _ = try await client.call(.get, "/api/products/prod_nothing", host: store.host)
            let cart = try await client.makeCart(store, variantID: product.variant, quantity: 1)
            let order = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody,
                headers: [.cartSecret: cart.secret, .idempotencyKey: "m-1"])
            let orderID = try #require(order.json["id"] as? String)
            // The same key again is a replay: one order, counted once.
            _ = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody,
                headers: [.cartSecret: cart.secret, .idempotencyKey: "m-1"])
            let card: [String: Any] = ["card": ["number": "4000000000000002", "expMonth": 12, "expYear": 2040, "cvc": "123"]]
            #expect(
                try await client.call(.post, "/api/orders/\(orderID)/pay", store: store, staff: false, json: card, headers: [.cartSecret: cart.secret]).status
                    .code == 402)

            let response = try await client.execute(uri: "/metrics", method: .get, headers: [:])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = response.text
            #expect(
                Self.value(text, #"leopard_http_requests_total{method="GET",route="/api/products/{product}",status="200"}"#)
                    ?? Self.value(text, #"leopard_http_requests_total{method="GET",route="/api/products/:product",status="200"}"#) == 3)
            #expect(text.contains(#"status="404""#))
            #expect(!text.contains("prod_nothing"))
            #expect(Self.value(text, "leopard_orders_created_total") == 1)
            #expect(Self.value(text, #"leopard_payment_failures_total{provider="test",reason="declined"}"#) == 1)
            #expect(Self.value(text, "leopard_provisioning_duration_seconds_count") == 1)
            #expect((Self.value(text, "leopard_tenant_databases_open") ?? 0) >= 1)
            #expect((Self.value(text, "process_resident_memory_bytes") ?? 0) > 1_000_000)
            #expect(text.contains("leopard_http_request_duration_seconds_bucket"))
        }
    }

    @Test("a client that is not on this machine, or came through a proxy, needs the operator token")
    func metricsNeedTheTokenFromElsewhere() async throws {
        try await TestPlatform.withPlatform { _, client in
            let proxied = try await client.execute(uri: "/metrics", method: .get, headers: [HTTPField.Name("X-Forwarded-For")!: "203.0.113.9"])
            #expect(proxied.status == .unauthorized)
            var headers = HTTPFields.operatorAuth
            headers[HTTPField.Name("X-Forwarded-For")!] = "203.0.113.9"
            #expect(try await client.execute(uri: "/metrics", method: .get, headers: headers).status == .ok)
            var wrong: HTTPFields = [.authorization: "Bearer nope"]
            wrong[HTTPField.Name("X-Forwarded-For")!] = "203.0.113.9"
            #expect(try await client.execute(uri: "/metrics", method: .get, headers: wrong).status == .unauthorized)
            // Stores do not serve it.
            let store = try await client.makeStore("Private Metrics")
            #expect(try await client.call(.get, "/metrics", host: store.host).status == .notFound)
        }
    }
}
