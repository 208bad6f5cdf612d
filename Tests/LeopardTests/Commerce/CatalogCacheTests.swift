import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardServer
import LeopardStorage
import NIOCore
import Testing

@testable import LeopardOperations

/// Shoppers' catalog reads come from a cache checked against the store's catalog version.
func catalogCacheScenario(_ platform: TestPlatform, _ client: some TestClientProtocol) async throws {
    let store = try await client.makeStore("Cache Shop")
    let twin = try await client.makeStore("Cache Twin")
    let product = try await client.makeProduct(store, title: "Lamp", price: 1000, stock: 5)
    let id = try #require(product["id"] as? String)
    _ = try await client.makeProduct(twin, title: "Twin lamp", price: 1, stock: 1)

    let first = try await client.call(.get, "/api/products", store: store, staff: false)
    let etag = try #require(first.headers[.eTag])
    #expect(try await client.call(.get, "/api/products", store: store, staff: false).text == first.text)
    // The same request on another store's host is that store's own answer.
    let other = try await client.call(.get, "/api/products", store: twin, staff: false)
    #expect((other.json["data"] as? [[String: Any]])?.compactMap { $0["title"] as? String } == ["Twin lamp"])

    let unchanged = try await client.call(.get, "/api/products", store: store, staff: false, headers: [.ifNoneMatch: etag])
    #expect(unchanged.status == .notModified)

    // A change through the API shows at once.
    #expect(try await client.call(.patch, "/api/products/\(id)", store: store, json: ["price": 1200]).status == .ok)
    let changed = try await client.call(.get, "/api/products", store: store, staff: false, headers: [.ifNoneMatch: etag])
    #expect(changed.status == .ok)
    #expect(((changed.json["data"] as? [[String: Any]])?.first?["price"] as? [String: Any])?["amount"] as? Int == 1200)

    // A checkout changes stock, and so the cached product.
    let detail = try await client.call(.get, "/api/products/lamp", store: store, staff: false)
    #expect(detail.json["stock"] as? Int == 5)
    let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
    let cart = try await client.makeCart(store, variantID: variant, quantity: 2)
    #expect(
        try await client.call(.post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
            .status == .created)
    #expect(try await client.call(.get, "/api/products/lamp", store: store, staff: false).json["stock"] as? Int == 3)

    // A change made in SQL, outside the catalog service, is seen too: triggers count it.
    let location = try #require(try await platform.services.registry.find(idOrSlug: store.slug)?.database)
    try await platform.services.databases.withDatabase(tenantID: store.id, location: location) { database in
        try await database.write { sql in try await sql.raw("UPDATE products SET title = 'Renamed lamp' WHERE id = \(bind: id)").run() }
    }
    #expect(try await client.call(.get, "/api/products/\(id)", store: store, staff: false).json["title"] as? String == "Renamed lamp")
    // Drafts never leak through the cache.
    #expect(try await client.call(.patch, "/api/products/\(id)", store: store, json: ["status": "draft"]).status == .ok)
    #expect(try await client.call(.get, "/api/products/\(id)", store: store, staff: false).status == .notFound)
    #expect((try await client.call(.get, "/api/products", store: store, staff: false).json["data"] as? [Any])?.isEmpty == true)
}

@Suite("Catalog response cache")
struct CatalogCacheTests {
    @Test("a remembered version is trusted only while the handle's write generation is unchanged, and under a second")
    func versionTrust() {
        let cache = ResponseCache()
        let start = ContinuousClock.now
        cache.remember(version: 7, tenantID: "ten_a", generation: 3, now: start)
        #expect(cache.knownVersion(tenantID: "ten_a", generation: 3, now: start + .milliseconds(500)) == 7)
        #expect(cache.knownVersion(tenantID: "ten_a", generation: 4, now: start + .milliseconds(500)) == nil)
        #expect(cache.knownVersion(tenantID: "ten_a", generation: 3, now: start + .seconds(2)) == nil)
        #expect(cache.knownVersion(tenantID: "ten_b", generation: 3, now: start) == nil)
    }

    @Test("entries answer only their own store and version; the cache stays within its bounds")
    func entries() {
        let cache = ResponseCache(maximumEntries: 8)
        cache.store(ByteBuffer(string: "a"), tenantID: "ten_a", resource: "/api/products", version: 1)
        #expect(cache.body(tenantID: "ten_a", resource: "/api/products", version: 1) == ByteBuffer(string: "a"))
        #expect(cache.body(tenantID: "ten_a", resource: "/api/products", version: 2) == nil)
        #expect(cache.body(tenantID: "ten_b", resource: "/api/products", version: 1) == nil)
        for index in 0..<20 { cache.store(ByteBuffer(string: "x"), tenantID: "ten_a", resource: "/r\(index)", version: 1) }
        #expect(cache.count <= 8)
    }

    @Test("cached reads follow every change, per store, with ETags")
    func sqlite() async throws {
        try await TestPlatform.withPlatform { platform, client in try await catalogCacheScenario(platform, client) }
    }
}

extension PostgresCommerceTests {
    @Test("cached reads follow every change (statement triggers)")
    func catalogCache() async throws {
        try await TestPlatform.withPlatform(.postgres) { platform, client in try await catalogCacheScenario(platform, client) }
    }
}
