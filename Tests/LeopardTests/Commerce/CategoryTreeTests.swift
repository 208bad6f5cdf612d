import Foundation
import HummingbirdTesting
import Testing

/// Categories as a tree: parents, no cycles, a bounded depth, children moved up when their
/// parent goes, a collection that lists what is under it; and the admin pages for all of it.
@Suite("Category tree")
struct CategoryTreeTests {
    struct Category: Decodable {
        let id: String
        let slug: String
        let parentId: String?
    }

    func add(_ client: some TestClientProtocol, _ store: StoreFixture, _ name: String, parent: String? = nil) async throws -> Category {
        var body: [String: Any] = ["name": name]
        if let parent { body["parentId"] = parent }
        let response = try await client.call(.post, "/api/categories", store: store, json: body)
        try #require(response.status == .created, "\(response.text)")
        return try response.decode(Category.self)
    }

    @Test("parents, refused cycles and depth, children moved up on delete, collections with what is under them", arguments: TestPlatform.storages)
    func tree(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Tree Shop")
            let garden = try await add(client, store, "Garden")
            let tools = try await add(client, store, "Tools", parent: garden.id)
            let spades = try await add(client, store, "Spades", parent: tools.id)
            #expect(tools.parentId == garden.id)
            let cycle = try await client.call(.patch, "/api/categories/\(garden.id)", store: store, json: ["parentId": spades.id])
            #expect(cycle.status == .unprocessableContent, "a category cannot go under its own")
            let itself = try await client.call(.patch, "/api/categories/\(garden.id)", store: store, json: ["parentId": garden.id])
            #expect(itself.status == .unprocessableContent)
            let unknown = try await client.call(.post, "/api/categories", store: store, json: ["name": "Lost", "parentId": "cat_nope"])
            #expect(unknown.status == .unprocessableContent)
            var deepest = spades
            for level in 4...5 { deepest = try await add(client, store, "Level \(level)", parent: deepest.id) }
            let tooDeep = try await client.call(.post, "/api/categories", store: store, json: ["name": "Level 6", "parentId": deepest.id])
            #expect(tooDeep.status == .unprocessableContent, "at most five levels")

            _ = try await client.makeProduct(store, title: "Spade", price: 2000, stock: 3, extra: ["categoryId": spades.id])
            _ = try await client.makeProduct(store, title: "Lamp", price: 3000, stock: 3)
            let collection = try await client.call(.get, "/collections/garden", host: store.host)
            #expect(collection.text.contains("Spade") && !collection.text.contains("Lamp"), "a collection lists what is under it")
            let api = try await client.call(.get, "/api/products?category=garden", store: store, staff: false)
            #expect((api.json["data"] as? [[String: Any]])?.count == 1)

            let code = try await client.call(
                .post, "/api/discounts", store: store, json: ["code": "GARDEN", "kind": "percentage", "value": 10, "categoryIds": [garden.id]])
            #expect(code.status == .created)
            let spadeVariant = try #require(
                ((api.json["data"] as? [[String: Any]])?.first?["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let cart = try await client.makeCart(store, variantID: spadeVariant, quantity: 1)
            let coded = try await client.call(
                .post, "/api/carts/\(cart.id)/discounts", store: store, staff: false, json: ["code": "GARDEN"], headers: [.cartSecret: cart.secret])
            #expect(coded.status == .ok, "a code for Garden takes a product in Garden › Tools › Spades: \(coded.text)")

            #expect(try await client.call(.delete, "/api/categories/\(tools.id)", store: store).status == .noContent)
            let moved = try await client.call(.get, "/api/categories/\(spades.id)", store: store).decode(Category.self)
            #expect(moved.parentId == garden.id, "children move up to the deleted one's parent")
            let top = try await client.call(.patch, "/api/categories/\(spades.id)", store: store, json: ["parentId": NSNull()])
            #expect(try top.decode(Category.self).parentId == nil)
        }
    }

    @Test("the admin adds, nests, changes and deletes categories, and the product form picks one")
    func adminPages() async throws {
        try await TestPlatform.withPlatform(.sqlite) { _, client in
            let store = try await client.makeStore("Tree Admin Shop")
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let page = try await browser.get("/admin/categories", host: store.host)
            #expect(page.status == .ok && page.html.contains("No categories yet"))
            let added = try await browser.post("/admin/categories", host: store.host, form: ["name": "Kitchen", "position": "1"], csrf: page.csrf)
            #expect(added.status == .seeOther)
            let kitchen = try #require((try await client.call(.get, "/api/categories", store: store).json["data"] as? [[String: Any]])?.first?["id"] as? String)
            let nested = try await browser.post(
                "/admin/categories", host: store.host, form: ["name": "Knives", "parentId": kitchen, "position": "0"], csrf: page.csrf)
            #expect(nested.status == .seeOther)
            let bad = try await browser.post("/admin/categories", host: store.host, form: ["name": "", "position": "x"], csrf: page.csrf)
            #expect(bad.status == .unprocessableContent)
            let list = try await browser.get("/admin/categories", host: store.host)
            #expect(list.html.contains("— <a href=\"/admin/categories/"), "Knives is shown under Kitchen")
            let knives = try #require(
                (try await client.call(.get, "/api/categories/knives", store: store).json["id"]) as? String)
            let edit = try await browser.get("/admin/categories/\(knives)", host: store.host)
            #expect(edit.status == .ok && edit.html.contains("value=\"Knives\""))
            #expect(!edit.html.contains("<option value=\"\(knives)\""), "it cannot be chosen as its own parent")
            let saved = try await browser.post(
                "/admin/categories/\(knives)", host: store.host, form: ["name": "Knives and boards", "slug": "knives", "parentId": "", "position": "2"],
                csrf: edit.csrf)
            #expect(saved.status == .seeOther)
            let after = try await client.call(.get, "/api/categories/knives", store: store)
            #expect(after.json["name"] as? String == "Knives and boards" && after.json["parentId"] == nil)

            let new = try await browser.get("/admin/products/new", host: store.host)
            #expect(new.html.contains("<option value=\"\(kitchen)\">Kitchen</option>"))
            let made = try await browser.post(
                "/admin/products", host: store.host, form: ["title": "Pan", "status": "active", "price": "30", "stock": "2", "categoryIds": kitchen],
                csrf: new.csrf)
            #expect(made.status == .seeOther)
            let product = try #require((try await client.call(.get, "/api/products", store: store).json["data"] as? [[String: Any]])?.first)
            #expect(product["categoryId"] as? String == kitchen)

            let deleted = try await browser.post("/admin/categories/\(kitchen)/delete", host: store.host, form: [:], csrf: list.csrf)
            #expect(deleted.status == .seeOther)
            #expect(try await client.call(.get, "/api/categories/\(kitchen)", store: store).status == .notFound)
        }
    }

    @Test("a product in several categories: listed in each, the first is its main one, a discount on any of them applies", arguments: TestPlatform.storages)
    func several(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Several Shop")
            let gifts = try await add(client, store, "Gifts")
            let kitchen = try await add(client, store, "Kitchen")
            let made = try await client.makeProduct(store, title: "Teapot", price: 2000, stock: 5, extra: ["categoryIds": [kitchen.id, gifts.id]])
            #expect(made["categoryId"] as? String == kitchen.id && made["categoryIds"] as? [String] == [kitchen.id, gifts.id])
            let id = try #require(made["id"] as? String)
            for slug in ["gifts", "kitchen"] {
                #expect(try await client.call(.get, "/collections/\(slug)", host: store.host).text.contains("Teapot"), "listed in \(slug)")
            }
            let bad = try await client.call(.patch, "/api/products/\(id)", store: store, json: ["categoryIds": [kitchen.id, "cat_nope"]])
            #expect(bad.status == .unprocessableContent)
            let main = try await client.call(.patch, "/api/products/\(id)", store: store, json: ["categoryId": gifts.id])
            #expect(main.json["categoryIds"] as? [String] == [gifts.id, kitchen.id], "categoryId alone makes one the main one and keeps the rest")
            _ = try await client.call(
                .post, "/api/discounts", store: store, json: ["code": "KITCHEN", "kind": "percentage", "value": 10, "categoryIds": [kitchen.id]])
            let variant = try #require((made["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let cart = try await client.makeCart(store, variantID: variant, quantity: 1)
            let coded = try await client.call(
                .post, "/api/carts/\(cart.id)/discounts", store: store, staff: false, json: ["code": "KITCHEN"], headers: [.cartSecret: cart.secret])
            #expect(coded.status == .ok, "a code for its second category applies: \(coded.text)")
            #expect(try await client.call(.delete, "/api/categories/\(gifts.id)", store: store).status == .noContent)
            let after = try await client.call(.get, "/api/products/\(id)", store: store)
            #expect(
                after.json["categoryId"] as? String == kitchen.id && after.json["categoryIds"] as? [String] == [kitchen.id],
                "the next one became main: \(after.text)")
            let none = try await client.call(.patch, "/api/products/\(id)", store: store, json: ["categoryId": NSNull()])
            #expect((none.json["categoryIds"] as? [String])?.isEmpty == true && none.json["categoryId"] == nil)
        }
    }
}
