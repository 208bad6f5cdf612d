import Foundation
import LeopardCommerce
import SQLKit
import Testing

extension PostgresCommerceTests {
    /// A product edit writes every variant's stock back. Read without a lock, the stock it
    /// writes could be older than a sale that committed meanwhile, and undo it.
    @Test("a product edit beside a sale in flight keeps the sale's stock change", .timeLimit(.minutes(1)))
    func editBesideSale() async throws {
        try await TestPlatform.withPlatform(.postgres) { platform, client in
            let store = try await client.makeStore("Race Edit Shop")
            let product = try ProductRef(try await client.makeProduct(store, title: "Lamp", price: 1000, stock: 10))
            let tenant = try #require(try await platform.services.registry.find(id: store.id))
            let (locked, lockedNow) = AsyncStream<Void>.makeStream()
            let (release, releaseNow) = AsyncStream<Void>.makeStream()
            // A sale that has taken 3 from stock and not committed yet.
            let sale = Task {
                try await platform.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                    try await database.write { sql in
                        try await sql.raw("UPDATE product_variants SET stock = stock - 3 WHERE id = \(bind: product.variant)").run()
                        lockedNow.yield()
                        for await _ in release { break }
                    }
                }
            }
            for await _ in locked { break }
            let edit = Task { try await client.call(.patch, "/api/products/\(product.id)", store: store, json: ["title": "Brass lamp"]) }
            // The edit is under way (and, without the lock, would have read stock 10 by now).
            try await Task.sleep(for: .milliseconds(500))
            releaseNow.yield()
            try await sale.value
            #expect(try await edit.value.status == .ok)
            let after = try await client.call(.get, "/api/products/\(product.id)", store: store)
            #expect(after.json["title"] as? String == "Brass lamp")
            #expect(after.json["stock"] as? Int == 7, "the sale's 3 stay sold")
        }
    }
}
