import Foundation
import HummingbirdTesting
import Testing

/// What search engines read: a product's own title and description, its JSON-LD (`Product`
/// with an `Offer` per variant, safe inside `<script>`), and a page per collection.
@Suite("Storefront SEO: product fields, JSON-LD, collections")
struct StorefrontSEOTests {
    struct StructuredProduct: Decodable {
        struct Offer: Decodable {
            let price: String
            let priceCurrency: String
            let availability: String
        }

        let type: String
        let name: String
        let offers: [Offer]

        enum CodingKeys: String, CodingKey {
            case type = "@type"
            case name, offers
        }
    }

    /// The JSON-LD script's text on a page.
    func jsonLD(_ html: String) throws -> String {
        let start = try #require(html.range(of: #"<script type="application/ld+json">"#), "no JSON-LD")
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        return String(html[start.upperBound..<end.lowerBound])
    }

    @Test("a product page uses its search title and description, and carries JSON-LD that no title can break out of", arguments: TestPlatform.storages)
    func productPage(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("SEO Shop")
            let created = try await client.makeProduct(
                store, title: "Garden Hose</script><script>alert(1)</script>", price: 2500, stock: 3,
                extra: ["slug": "garden-hose", "seoTitle": "Best garden hose", "seoDescription": "Thirty metres, kink-free."])
            #expect(created["seoTitle"] as? String == "Best garden hose")
            let page = try await client.call(.get, "/products/garden-hose", host: store.host)
            #expect(page.status == .ok)
            #expect(page.text.contains("<title>Best garden hose · SEO Shop</title>") && page.text.contains(#"content="Thirty metres, kink-free.""#))
            let script = try jsonLD(page.text)
            #expect(!script.contains("<"), "every < is escaped")
            let data = try #require(script.data(using: .utf8))
            let product = try JSONDecoder().decode(StructuredProduct.self, from: data)
            #expect(product.type == "Product" && product.name == "Garden Hose</script><script>alert(1)</script>")
            #expect(product.offers.first?.price == "25.00" && product.offers.first?.availability == "https://schema.org/InStock")

            let id = try #require(created["id"] as? String)
            let tooLong = try await client.call(.patch, "/api/products/\(id)", store: store, json: ["seoTitle": String(repeating: "x", count: 71)])
            #expect(tooLong.status == .unprocessableContent)
            let cleared = try await client.call(.patch, "/api/products/\(id)", store: store, json: ["seoTitle": NSNull()])
            #expect(cleared.status == .ok && cleared.json["seoTitle"] == nil)
            #expect(cleared.json["seoDescription"] as? String == "Thirty metres, kink-free.", "absent keeps it")
        }
    }

    @Test("a category has its own collection page, linked from the catalog and listed in the sitemap")
    func collections() async throws {
        try await TestPlatform.withPlatform(.sqlite) { _, client in
            let store = try await client.makeStore("Collection Shop")
            let category = try await client.call(.post, "/api/categories", store: store, json: ["name": "Garden Tools"])
            let categoryID = try #require(category.json["id"] as? String)
            _ = try await client.makeProduct(store, title: "Rake", price: 1500, stock: 3, extra: ["categoryId": categoryID])
            _ = try await client.makeProduct(store, title: "Kettle", price: 3000, stock: 3)
            let page = try await client.call(.get, "/collections/garden-tools", host: store.host)
            #expect(page.status == .ok && page.text.contains("Rake") && !page.text.contains("Kettle"))
            #expect(page.text.contains(#"<link rel="canonical" href="http://"#) && page.text.contains(#"/collections/garden-tools">"#))
            #expect(try await client.call(.get, "/collections/nothing-here", host: store.host).status == .notFound)
            #expect(try await client.call(.get, "/products", host: store.host).text.contains(#"href="/collections/garden-tools""#))
            #expect(try await client.call(.get, "/sitemap.xml", host: store.host).text.contains("/collections/garden-tools</loc>"))
        }
    }

    @Test("the admin product form saves the search fields")
    func adminForm() async throws {
        try await TestPlatform.withPlatform(.sqlite) { _, client in
            let store = try await client.makeStore("SEO Admin Shop")
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let new = try await browser.get("/admin/products/new", host: store.host)
            let made = try await browser.post(
                "/admin/products", host: store.host,
                form: ["title": "Lamp", "status": "active", "price": "40", "stock": "1", "seoTitle": "Reading lamp", "seoDescription": "Warm light."],
                csrf: new.csrf)
            #expect(made.status == .seeOther)
            let product = try #require((try await client.call(.get, "/api/products", store: store).json["data"] as? [[String: Any]])?.first)
            #expect(product["seoTitle"] as? String == "Reading lamp" && product["seoDescription"] as? String == "Warm light.")
            let edit = try await browser.get(try #require(made.location), host: store.host)
            #expect(edit.html.contains(#"value="Reading lamp""#))
        }
    }
}
