import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardCommerce
import LeopardServer
import LeopardStorage
import NIOCore
import SQLKit
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

    // A checkout changes stock without raising the catalog version (every order would empty
    // the store's cache): the cached product shows the new stock once its render is
    // `stockMaxAge` old, while staff see it at once.
    let location = try #require(try await platform.services.registry.find(idOrSlug: store.slug)?.database)
    func version() async throws -> Int {
        try await platform.services.databases.withDatabase(tenantID: store.id, location: location) { try await CatalogVersion.current($0) }
    }
    let detail = try await client.call(.get, "/api/products/lamp", store: store, staff: false)
    #expect(detail.json["stock"] as? Int == 5)
    let before = try await version()
    let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
    let cart = try await client.makeCart(store, variantID: variant, quantity: 2)
    #expect(
        try await client.call(.post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
            .status == .created)
    #expect(try await version() == before)
    #expect(try await client.call(.get, "/api/products/lamp", store: store).json["stock"] as? Int == 3)
    let deadline = ContinuousClock.now + ResponseCache.stockMaxAge + .seconds(5)
    var shown = try await client.call(.get, "/api/products/lamp", store: store, staff: false).json["stock"] as? Int
    while shown != 3, ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(250))
        shown = try await client.call(.get, "/api/products/lamp", store: store, staff: false).json["stock"] as? Int
    }
    #expect(shown == 3)
    // The trigger names every column of the table but stock (a column added later must be
    // added to it).
    let columns = try await platform.services.databases.withDatabase(tenantID: store.id, location: location) { database in
        try await database.read { sql in
            let query: SQLQueryString =
                database.kind == .postgres
                ? "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'product_variants'"
                : "SELECT name FROM pragma_table_info('product_variants')"
            return try await sql.raw(query).all().map { try $0.decode(column: "name", as: String.self) }
        }
    }
    #expect(Set(columns) == Set(StoreSchema.variantColumnsBesideStock + ["stock"]))
    // Anything else about a variant raises the version at once.
    #expect(try await client.call(.patch, "/api/products/\(id)", store: store, json: ["compareAtPrice": 2000]).status == .ok)
    #expect(try await version() > before)

    // A change made in SQL, outside the catalog service, is seen too: triggers count it.
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

    @Test("an entry answers for at most stockMaxAge, and its ETag is a digest of its bytes")
    func entryAge() {
        let cache = ResponseCache()
        let start = ContinuousClock.now
        let tag = cache.store(ByteBuffer(string: "a"), tenantID: "ten_a", resource: "/api/products", version: 1, now: start)
        let young = cache.entry(tenantID: "ten_a", resource: "/api/products", version: 1, now: start + ResponseCache.stockMaxAge - .milliseconds(1))
        #expect(young?.tag == tag)
        #expect(cache.entry(tenantID: "ten_a", resource: "/api/products", version: 1, now: start + ResponseCache.stockMaxAge) == nil)
        // A slower render of the same version, begun earlier, does not replace it.
        cache.store(ByteBuffer(string: "older"), tenantID: "ten_a", resource: "/api/products", version: 1, now: start - .seconds(1))
        #expect(cache.entry(tenantID: "ten_a", resource: "/api/products", version: 1, now: start)?.body == ByteBuffer(string: "a"))
        // The same bytes give the same tag in any process (FNV-1a), other bytes another.
        #expect(tag == ResponseCache.digest(ByteBuffer(string: "a")))
        #expect(tag == "af63dc4c8601ec8c")
        #expect(tag != ResponseCache.digest(ByteBuffer(string: "b")))
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
