import Foundation
import HummingbirdTesting
import Testing

@Suite("Catalog: editing a product's variants")
struct VariantEditTests {
    /// A product with sizes S and M, and the ids of its two variants.
    static func sizedProduct(_ client: some TestClientProtocol, _ store: StoreFixture) async throws -> (id: String, small: String, medium: String) {
        let created = try await client.call(
            .post, "/api/products", store: store,
            json: [
                "title": "Shirt", "options": [["name": "Size", "values": ["S", "M"]]],
                "variants": [["options": ["Size": "S"], "price": 100, "stock": 3], ["options": ["Size": "M"], "price": 100, "stock": 4]],
            ])
        #expect(created.status == .created, "\(created.text)")
        let variants = try #require(created.json["variants"] as? [[String: Any]])
        return (
            try #require(created.json["id"] as? String), try #require(variants.first?["id"] as? String),
            try #require(variants.last?["id"] as? String)
        )
    }

    @Test("two entries naming one variant are a 422, on PATCH and PUT, and nothing changes", arguments: TestPlatform.storages)
    func duplicateIDs(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Twin Variants")
            let shirt = try await Self.sizedProduct(client, store)
            let twice: [[String: Any]] = [["id": shirt.small, "options": ["Size": "S"]], ["id": shirt.small, "options": ["Size": "M"], "price": 100]]
            let patched = try await client.call(.patch, "/api/products/\(shirt.id)", store: store, json: ["variants": twice])
            #expect(patched.status == .unprocessableContent, "\(patched.text)")
            #expect(patched.errorFields == ["variants.1.id"])
            let replaced = try await client.call(
                .put, "/api/products/\(shirt.id)", store: store,
                json: ["title": "Shirt", "options": [["name": "Size", "values": ["S", "M"]]], "variants": twice.map { $0.merging(["price": 100]) { $1 } }])
            #expect(replaced.status == .unprocessableContent, "\(replaced.text)")
            #expect(replaced.errorFields == ["variants.1.id"])

            let read = try await client.call(.get, "/api/products/\(shirt.id)", store: store)
            let variants = try #require(read.json["variants"] as? [[String: Any]])
            #expect(variants.map { $0["id"] as? String } == [shirt.small, shirt.medium])
            #expect(variants.map { $0["stock"] as? Int } == [3, 4])
        }
    }

    @Test("a replacement without options makes a product with options one priced variant", arguments: TestPlatform.storages)
    func replaceDropsOptions(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Plain Again")
            let shirt = try await Self.sizedProduct(client, store)
            let replaced = try await client.call(.put, "/api/products/\(shirt.id)", store: store, json: ["title": "Shirt", "price": 250, "stock": 5])
            #expect(replaced.status == .ok, "\(replaced.text)")
            #expect((replaced.json["options"] as? [Any])?.isEmpty == true)
            let variants = try #require(replaced.json["variants"] as? [[String: Any]])
            #expect(variants.count == 1)
            #expect(variants.first?["title"] as? String == "Default")
            #expect(variants.first?["stock"] as? Int == 5)
            #expect((variants.first?["price"] as? [String: Any])?["amount"] as? Int == 250)
        }
    }

    @Test("a variant's title follows new option values unless it was named", arguments: TestPlatform.storages)
    func titleFollowsOptions(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Retitled Variants")
            let shirt = try await Self.sizedProduct(client, store)
            let swapped = try await client.call(
                .patch, "/api/products/\(shirt.id)", store: store,
                json: ["variants": [["id": shirt.small, "options": ["Size": "M"]], ["id": shirt.medium, "options": ["Size": "S"], "title": "Small one"]]])
            #expect(swapped.status == .ok, "\(swapped.text)")
            let variants = try #require(swapped.json["variants"] as? [[String: Any]])
            #expect(variants.map { $0["title"] as? String } == ["M", "Small one"])

            // A named title stays when only the options change.
            let again = try await client.call(
                .patch, "/api/products/\(shirt.id)", store: store,
                json: ["variants": [["id": shirt.small, "options": ["Size": "S"]], ["id": shirt.medium, "options": ["Size": "M"]]]])
            #expect(again.status == .ok, "\(again.text)")
            #expect((again.json["variants"] as? [[String: Any]])?.map { $0["title"] as? String } == ["S", "Small one"])

            // A replacement (PUT) re-derives titles from the options it replaces, too.
            let replaced = try await client.call(
                .put, "/api/products/\(shirt.id)", store: store,
                json: [
                    "title": "Shirt", "options": [["name": "Size", "values": ["S", "M", "L"]]],
                    "variants": [["id": shirt.small, "options": ["Size": "L"], "price": 100], ["id": shirt.medium, "options": ["Size": "M"], "price": 100]],
                ])
            #expect(replaced.status == .ok, "\(replaced.text)")
            #expect((replaced.json["variants"] as? [[String: Any]])?.map { $0["title"] as? String } == ["L", "Small one"])
        }
    }
}
