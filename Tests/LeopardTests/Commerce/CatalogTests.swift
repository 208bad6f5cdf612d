import Foundation
import HummingbirdTesting
import Testing

@Suite("Catalog: products, variants, search")
struct CatalogTests {
    @Test("the flat shape creates a product with one default variant, read back by handle", arguments: TestPlatform.storages)
    func flatProduct(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Flat Goods")
            let product = try await client.makeProduct(
                store, title: "Blue Mug", price: 1250, stock: 7,
                extra: ["images": [["url": "https://cdn.example.test/mug.jpg", "alt": "A blue mug"]], "tags": ["Kitchen", "kitchen", "gift"]])
            #expect(product["slug"] as? String == "blue-mug")
            #expect(product["status"] as? String == "active")
            #expect((product["price"] as? [String: Any])?["amount"] as? Int == 1250)
            #expect((product["price"] as? [String: Any])?["currency"] as? String == "USD")
            #expect(product["stock"] as? Int == 7)
            #expect(product["tags"] as? [String] == ["kitchen", "gift"])
            let variants = try #require(product["variants"] as? [[String: Any]])
            #expect(variants.count == 1)
            #expect(variants.first?["title"] as? String == "Default")

            let read = try await client.call(.get, "/api/products/blue-mug", store: store, staff: false)
            #expect(read.status == .ok)
            #expect(read.json["id"] as? String == product["id"] as? String)
            #expect((read.json["images"] as? [[String: Any]])?.first?["alt"] as? String == "A blue mug")

            // A second product with the same title gets the next free handle.
            let twin = try await client.makeProduct(store, title: "Blue Mug", price: 100, stock: 1)
            #expect(twin["slug"] as? String == "blue-mug-2")
        }
    }

    @Test("bad product input is a 422 naming each field, and nothing is written", arguments: TestPlatform.storages)
    func badInput(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Strict Goods")
            let cases: [(String, String)] = [
                (#"{"title": "Half cent", "price": 10.5}"#, "price"),
                (#"{"title": "Negative", "price": -1}"#, "price.amount"),
                (#"{"title": "Huge", "price": 100000000000000000}"#, "price.amount"),
                (#"{"title": "Euro", "price": {"amount": 100, "currency": "EUR"}}"#, "price.currency"),
                (#"{"title": "No price"}"#, "price"),
                (#"{"price": 100}"#, "title"),
                (#"{"title": "Bad stock", "price": 100, "stock": -3}"#, "stock"),
                (#"{"title": "Bad status", "price": 100, "status": "live"}"#, "status"),
                (#"{"title": "Bad slug", "price": 100, "slug": "Not A Slug"}"#, "slug"),
                (#"{"title": "Bad image", "price": 100, "images": [{"url": "javascript:alert(1)"}]}"#, "images.0.url"),
                (#"{"title": "Bad category", "price": 100, "categoryId": "cat_01jd0000000000000000000000"}"#, "categoryId"),
                (
                    #"{"title": "Options", "options": [{"name": "Size", "values": ["S", "M"]}], "variants": [{"price": 100, "options": {"Size": "XL"}}]}"#,
                    "variants.0.options.Size"
                ),
                (
                    #"{"title": "Twins", "options": [{"name": "Size", "values": ["S"]}], "variants": [{"price": 100, "options": {"Size": "S"}}, {"price": 100, "options": {"Size": "S"}}]}"#,
                    "variants.1.options"
                ),
            ]
            for (body, field) in cases {
                let response = try await client.call(.post, "/api/products", store: store, raw: body)
                #expect(response.status == .unprocessableContent, "\(body) → \(response.status)")
                #expect(response.errorFields.contains(field), "\(body) → \(response.text)")
            }
            let notJSON = try await client.call(.post, "/api/products", store: store, raw: "{title")
            #expect(notJSON.status == .badRequest)
            let list = try await client.call(.get, "/api/products", store: store)
            #expect((list.json["data"] as? [Any])?.isEmpty == true)

            _ = try await client.makeProduct(store, title: "Taken", price: 100, stock: 1, extra: ["slug": "taken", "sku": "SKU-1"])
            let slugTaken = try await client.call(.post, "/api/products", store: store, json: ["title": "Other", "price": 1, "slug": "taken"])
            #expect(slugTaken.status == .conflict)
            #expect(slugTaken.errorFields == ["slug"])
            let skuTaken = try await client.call(.post, "/api/products", store: store, json: ["title": "Other", "price": 1, "sku": "SKU-1"])
            #expect(skuTaken.status == .conflict)
            #expect(skuTaken.errorFields == ["sku"])
        }
    }

    @Test("variants from options; PATCH and PUT keep variant ids; DELETE removes", arguments: TestPlatform.storages)
    func variantsAndUpdates(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Variant Wear")
            let created = try await client.call(
                .post, "/api/products", store: store,
                json: [
                    "title": "Tee",
                    "options": [["name": "Size", "values": ["S", "M"]], ["name": "Colour", "values": ["Red"]]],
                    "variants": [
                        ["sku": "TEE-S", "options": ["Size": "S", "Colour": "Red"], "price": 1500, "stock": 2],
                        ["sku": "TEE-M", "options": ["Size": "M", "Colour": "Red"], "price": ["amount": 1700, "currency": "USD"], "stock": 0],
                    ],
                ])
            #expect(created.status == .created, "\(created.text)")
            let variants = try #require(created.json["variants"] as? [[String: Any]])
            #expect(variants.map { $0["title"] as? String } == ["S / Red", "M / Red"])
            #expect((created.json["price"] as? [String: Any])?["amount"] as? Int == 1500)
            #expect(created.json["stock"] as? Int == 2)
            let id = try #require(created.json["id"] as? String)
            let firstVariant = try #require(variants.first?["id"] as? String)

            // A flat price on a product with options is refused.
            let flat = try await client.call(.patch, "/api/products/\(id)", store: store, json: ["price": 100])
            #expect(flat.status == .unprocessableContent)

            let patched = try await client.call(
                .patch, "/api/products/\(id)", store: store, json: ["title": "Tee shirt", "variants": [["id": firstVariant, "price": 1400]]])
            #expect(patched.status == .ok, "\(patched.text)")
            let patchedVariants = try #require(patched.json["variants"] as? [[String: Any]])
            #expect(patchedVariants.count == 1)
            #expect(patchedVariants.first?["id"] as? String == firstVariant)
            #expect(patchedVariants.first?["stock"] as? Int == 2)
            #expect(patched.json["slug"] as? String == "tee")

            let simple = try await client.makeProduct(store, title: "Cap", price: 900, stock: 3)
            let simpleID = try #require(simple["id"] as? String)
            let simpleVariant = (simple["variants"] as? [[String: Any]])?.first?["id"] as? String
            let replaced = try await client.call(
                .put, "/api/products/\(simpleID)", store: store, json: ["title": "Cap", "price": 950, "stock": 4, "status": "draft"])
            #expect(replaced.status == .ok, "\(replaced.text)")
            #expect((replaced.json["variants"] as? [[String: Any]])?.first?["id"] as? String == simpleVariant)
            #expect(replaced.json["stock"] as? Int == 4)
            #expect(replaced.json["status"] as? String == "draft")

            let history = try await client.call(.get, "/api/inventory/adjustments?variant_id=\(simpleVariant ?? "")", store: store)
            #expect((history.json["data"] as? [[String: Any]])?.map { $0["reason"] as? String } == ["product_update", "initial"])

            #expect(try await client.call(.delete, "/api/products/\(simpleID)", store: store).status == .noContent)
            #expect(try await client.call(.get, "/api/products/\(simpleID)", store: store).status == .notFound)
            #expect(try await client.call(.delete, "/api/products/\(simpleID)", store: store).status == .notFound)
        }
    }

    @Test("drafts are invisible to anonymous callers and visible to staff", arguments: TestPlatform.storages)
    func drafts(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Draft Shop")
            let draft = try await client.makeProduct(store, title: "Secret", price: 100, stock: 1, extra: ["status": "draft"])
            _ = try await client.makeProduct(store, title: "Public", price: 100, stock: 1)
            let id = try #require(draft["id"] as? String)

            #expect(try await client.call(.get, "/api/products/\(id)", store: store, staff: false).status == .notFound)
            #expect(try await client.call(.get, "/api/products/secret", store: store, staff: false).status == .notFound)
            let anonymous = try await client.call(.get, "/api/products?status=draft", store: store, staff: false)
            #expect((anonymous.json["data"] as? [[String: Any]])?.map { $0["title"] as? String } == ["Public"])

            #expect(try await client.call(.get, "/api/products/\(id)", store: store).status == .ok)
            let staff = try await client.call(.get, "/api/products?status=draft", store: store)
            #expect((staff.json["data"] as? [[String: Any]])?.map { $0["title"] as? String } == ["Secret"])
            let all = try await client.call(.get, "/api/products", store: store)
            #expect((all.json["data"] as? [Any])?.count == 2)
        }
    }

    @Test("lists page with cursors, filter, sort and search by relevance")
    func listing() async throws {
        try await TestPlatform.withPlatform { _, client in
            try await listingScenario(client)
        }
    }

    @Test("bad list parameters are 422s")
    func badListParameters() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Param Shop")
            for (query, field) in [
                ("limit=0", "limit"), ("limit=101", "limit"), ("cursor=nonsense", "cursor"), ("sort=cheapest", "sort"),
                ("price_min=-5", "price_min"), ("price_max=1.5", "price_max"), ("in_stock=maybe", "in_stock"),
            ] {
                let response = try await client.call(.get, "/api/products?\(query)", store: store, staff: false)
                #expect(response.status == .unprocessableContent, "\(query)")
                #expect(response.errorFields == [field], "\(query): \(response.text)")
            }
        }
    }
}

/// The same listing checks on either engine.
func listingScenario(_ client: some TestClientProtocol) async throws {
    let store = try await client.makeStore("List Shop")
    let category = try await client.call(.post, "/api/categories", store: store, json: ["name": "Garden Tools"])
    #expect(category.status == .created, "\(category.text)")
    let categoryID = try #require(category.json["id"] as? String)
    for index in 0..<25 {
        _ = try await client.makeProduct(
            store, title: "Widget \(index)", price: 1000 + index * 10, stock: index % 5, extra: ["tags": index % 2 == 0 ? ["even"] : ["odd"]])
    }
    _ = try await client.makeProduct(
        store, title: "Garden Hose", price: 2500, stock: 3, extra: ["categoryId": categoryID, "description": "A long hose for the garden"])
    _ = try await client.makeProduct(
        store, title: "Rake", price: 1500, stock: 3, extra: ["categoryId": categoryID, "description": "Collects leaves in the garden", "tags": ["garden"]])

    // Pages of 10 with cursors, newest first, no duplicates.
    var seen: [String] = []
    var cursor: String?
    repeat {
        let uri = "/api/products?limit=10" + (cursor.map { "&cursor=\($0)" } ?? "")
        let page = try await client.call(.get, uri, store: store, staff: false)
        #expect(page.status == .ok)
        seen += (page.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        cursor = page.json["next_cursor"] as? String
    } while cursor != nil
    #expect(seen.count == 27)
    #expect(Set(seen).count == 27)

    let cheapest = try await client.call(.get, "/api/products?sort=price_asc&limit=3", store: store, staff: false)
    #expect((cheapest.json["data"] as? [[String: Any]])?.compactMap { ($0["price"] as? [String: Any])?["amount"] as? Int } == [1000, 1010, 1020])
    let dearest = try await client.call(.get, "/api/products?sort=price_desc&limit=1", store: store, staff: false)
    #expect((dearest.json["data"] as? [[String: Any]])?.first?["title"] as? String == "Garden Hose")
    let byTitle = try await client.call(.get, "/api/products?sort=title&limit=2", store: store, staff: false)
    #expect((byTitle.json["data"] as? [[String: Any]])?.compactMap { $0["title"] as? String } == ["Garden Hose", "Rake"])

    // Price-ascending pages continue where the cursor says.
    let firstPage = try await client.call(.get, "/api/products?sort=price_asc&limit=5", store: store, staff: false)
    let next = try #require(firstPage.json["next_cursor"] as? String)
    let secondPage = try await client.call(.get, "/api/products?sort=price_asc&limit=5&cursor=\(next)", store: store, staff: false)
    #expect((secondPage.json["data"] as? [[String: Any]])?.first.flatMap { ($0["price"] as? [String: Any])?["amount"] as? Int } == 1050)
    // A cursor of one sort order is refused by another.
    let mixed = try await client.call(.get, "/api/products?sort=title&cursor=\(next)", store: store, staff: false)
    #expect(mixed.status == .unprocessableContent)

    let inCategory = try await client.call(.get, "/api/categories/garden-tools/products", store: store, staff: false)
    #expect((inCategory.json["data"] as? [Any])?.count == 2)
    let byCategoryFilter = try await client.call(.get, "/api/products?category=\(categoryID)", store: store, staff: false)
    #expect((byCategoryFilter.json["data"] as? [Any])?.count == 2)
    let even = try await client.call(.get, "/api/products?tag=even&limit=100", store: store, staff: false)
    #expect((even.json["data"] as? [Any])?.count == 13)
    let priced = try await client.call(.get, "/api/products?price_min=1100&price_max=1200&limit=100", store: store, staff: false)
    #expect((priced.json["data"] as? [Any])?.count == 11)
    let soldOut = try await client.call(.get, "/api/products?in_stock=false&limit=100", store: store, staff: false)
    #expect((soldOut.json["data"] as? [Any])?.count == 5)

    // Search: a title match ranks above a description match; prefixes match.
    let garden = try await client.call(.get, "/api/products?q=garden", store: store, staff: false)
    #expect((garden.json["data"] as? [[String: Any]])?.compactMap { $0["title"] as? String } == ["Garden Hose", "Rake"], "\(garden.text)")
    let prefix = try await client.call(.get, "/api/products?q=wid&limit=30", store: store, staff: false)
    #expect((prefix.json["data"] as? [Any])?.count == 25)
    let hostile = try await client.call(.get, "/api/products?q=%22%29%20OR%20*%3A*%20--", store: store, staff: false)
    #expect(hostile.status == .ok)
    let paged = try await client.call(.get, "/api/products?q=widget&limit=20", store: store, staff: false)
    let searchCursor = try #require(paged.json["next_cursor"] as? String)
    let rest = try await client.call(.get, "/api/products?q=widget&limit=20&cursor=\(searchCursor)", store: store, staff: false)
    #expect((rest.json["data"] as? [Any])?.count == 5)
}
