import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import LeopardOperations
@testable import LeopardServer

@Suite("Usage per store")
struct UsageTests {
    @Test(
        "GET /api/tenants/:id/metrics: requests, orders, revenue, products, customers, database and image bytes, last activity; each store its own",
        arguments: TestPlatform.storages)
    func usagePerStore(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Usage Shop")
            let other = try await client.makeStore("Quiet Shop")
            let product = try ProductRef(try await client.makeProduct(store, title: "Cup", price: 1500, stock: 9))
            try await client.uploadImage(store, productID: product.id)
            for _ in 0..<5 { _ = try await client.call(.get, "/api/products", host: store.host) }
            let cart = try await client.makeCart(store, variantID: product.variant, quantity: 2)
            let order = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
            let orderID = try #require(order.json["id"] as? String)
            #expect(try await client.call(.post, "/api/orders/\(orderID)/mark-paid", store: store).status == .ok)

            #expect(try await client.execute(uri: "/api/tenants/\(store.id)/metrics", method: .get, headers: [:]).status == .unauthorized)
            let usage = try await client.execute(uri: "/api/tenants/\(store.id)/metrics", method: .get, headers: .operatorAuth)
            #expect(usage.status == .ok, "\(usage.text)")
            let requests = try #require(usage.json["requests"] as? [String: Any])
            let counted = try #require(requests["last24Hours"] as? Int)
            #expect(counted >= 10)
            #expect(requests["last30Days"] as? Int == counted)
            #expect(usage.json["orders"] as? Int == 1)
            #expect((usage.json["revenue"] as? [String: Any])?["amount"] as? Int == 3000)
            #expect((usage.json["revenue"] as? [String: Any])?["currency"] as? String == "USD")
            #expect(usage.json["products"] as? Int == 1)
            #expect(usage.json["customers"] as? Int == 1)
            #expect((usage.json["databaseBytes"] as? Int ?? 0) > 0)
            #expect(usage.json["imageBytes"] as? Int == ProductImageTests.png.count)
            #expect(usage.json["lastActivityAt"] as? String != nil)

            // Written to the platform database, the counts neither vanish nor double.
            try await platform.services.usage.flush()
            try await platform.services.usage.flush()
            let again = try await client.execute(uri: "/api/tenants/\(store.id)/metrics", method: .get, headers: .operatorAuth)
            #expect((again.json["requests"] as? [String: Any])?["last24Hours"] as? Int == counted)

            let quiet = try await client.execute(uri: "/api/tenants/\(other.id)/metrics", method: .get, headers: .operatorAuth)
            #expect(quiet.json["orders"] as? Int == 0)
            #expect(quiet.json["imageBytes"] as? Int == 0)
            #expect(((quiet.json["requests"] as? [String: Any])?["last24Hours"] as? Int ?? 99) <= 2)
            #expect(try await client.execute(uri: "/api/tenants/ten_nothing/metrics", method: .get, headers: .operatorAuth).status == .notFound)
        }
    }

    @Test("each store's estimated monthly cost: its bytes, requests and handler time at the operator's prices, and when idle")
    func cost() async throws {
        try await TestPlatform.withPlatform(configure: {
            $0.costs.perGBMonth = 1000
            $0.costs.perMillionRequests = 100_000
            $0.costs.perCPUHour = 3600
            $0.costs.perStoreMonth = 0.5
        }) { platform, client in
            let store = try await client.makeStore("Costly Shop")
            for _ in 0..<4 { _ = try await client.call(.get, "/api/products", host: store.host) }
            try await platform.services.usage.flush()
            let usage = try await client.execute(uri: "/api/tenants/\(store.id)/metrics", method: .get, headers: .operatorAuth)
            let cost = try #require(usage.json["cost"] as? [String: Any], "\(usage.text)")
            let bytes = try #require(usage.json["databaseBytes"] as? Int) + (usage.json["imageBytes"] as? Int ?? 0)
            let requests = try #require((usage.json["requests"] as? [String: Any])?["last30Days"] as? Int)
            let seconds = try #require(cost["handlerSeconds30Days"] as? Double)
            func round(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
            #expect(cost["currency"] as? String == "USD")
            #expect(cost["storage"] as? Double == round(Double(bytes) / 1e9 * 1000))
            #expect(cost["requests"] as? Double == round(Double(requests) / 1e6 * 100_000))
            #expect(seconds > 0, "the requests took some time to answer")
            #expect(abs((cost["compute"] as? Double ?? -1) - round(seconds)) < 0.002, "an hour of handler time costs 3600")
            #expect(cost["fixed"] as? Double == 0.5)
            #expect(cost["idle"] as? Double == round((cost["storage"] as? Double ?? 0) + 0.5))
            let monthly = try #require(cost["monthly"] as? Double)
            let parts = ["storage", "requests", "compute", "fixed"].compactMap { cost[$0] as? Double }.reduce(0, +)
            #expect(abs(monthly - parts) < 0.0002)
        }
    }
}
