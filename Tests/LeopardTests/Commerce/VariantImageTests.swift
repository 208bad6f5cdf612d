import Foundation
import HummingbirdTesting
import Testing

/// A variant shows one of its product's images: set through the API or the admin, shown first
/// on the product page when that variant is chosen, forgotten when the image goes.
@Suite("Variant images")
struct VariantImageTests {
    struct Product: Decodable {
        struct Image: Decodable {
            let id: String
            let url: String
        }

        struct Variant: Decodable {
            let id: String
            let title: String
            let imageId: String?
        }

        let id: String
        let images: [Image]
        let variants: [Variant]
    }

    @Test("set, shown for its variant, refused for another product's image, cleared with its image", arguments: TestPlatform.storages)
    func variantImage(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Variant Image Shop")
            let made = try await client.call(
                .post, "/api/products", store: store,
                json: [
                    "title": "Tee", "slug": "tee", "options": [["name": "Colour", "values": ["Red", "Blue"]]],
                    "variants": [["options": ["Colour": "Red"], "price": 1500, "stock": 5], ["options": ["Colour": "Blue"], "price": 1500, "stock": 5]],
                    "images": [
                        ["url": "https://cdn.example.test/red.jpg", "alt": "Red tee"], ["url": "https://cdn.example.test/blue.jpg", "alt": "Blue tee"],
                    ],
                ])
            let product = try made.decode(Product.self)
            let blue = try #require(product.variants.first { $0.title.contains("Blue") })
            let blueImage = try #require(product.images.first { $0.url.hasSuffix("blue.jpg") })
            let set = try await client.call(
                .put, "/api/products/\(product.id)/variants/\(blue.id)/image", store: store, json: ["imageId": blueImage.id])
            #expect(set.status == .ok, "\(set.text)")
            #expect(try set.decode(Product.self).variants.first { $0.id == blue.id }?.imageId == blueImage.id)

            let page = try await client.call(.get, "/products/tee?variant=\(blue.id)", host: store.host)
            let main = try #require(page.text.range(of: #"<div class="main-image"><img src=""#))
            #expect(page.text[main.upperBound...].hasPrefix("https://cdn.example.test/blue.jpg"), "the blue tee's image comes first")
            let plain = try await client.call(.get, "/products/tee", host: store.host)
            let first = try #require(plain.text.range(of: #"<div class="main-image"><img src=""#))
            #expect(plain.text[first.upperBound...].hasPrefix("https://cdn.example.test/red.jpg"))

            let other = try await client.call(
                .post, "/api/products", store: store, json: ["title": "Cap", "price": 900, "images": [["url": "https://cdn.example.test/cap.jpg"]]])
            let capImage = try #require(try other.decode(Product.self).images.first?.id)
            let foreign = try await client.call(.put, "/api/products/\(product.id)/variants/\(blue.id)/image", store: store, json: ["imageId": capImage])
            #expect(foreign.status == .unprocessableContent, "another product's image is refused")
            let otherStore = try await client.makeStore("Other Variant Image Shop")
            #expect(
                try await client.call(.put, "/api/products/\(product.id)/variants/\(blue.id)/image", store: otherStore, json: ["imageId": blueImage.id])
                    .status == .notFound)

            #expect(try await client.call(.delete, "/api/products/\(product.id)/images/\(blueImage.id)", store: store).status == .noContent)
            let after = try await client.call(.get, "/api/products/\(product.id)", store: store).decode(Product.self)
            #expect(after.variants.first { $0.id == blue.id }?.imageId == nil, "the image went, and the variant forgot it")
        }
    }

    @Test("the admin sets a variant's image from the product page")
    func admin() async throws {
        try await TestPlatform.withPlatform(.sqlite) { _, client in
            let store = try await client.makeStore("Variant Image Admin")
            let made = try await client.call(
                .post, "/api/products", store: store,
                json: [
                    "title": "Mug", "options": [["name": "Size", "values": ["S", "L"]]],
                    "variants": [["options": ["Size": "S"], "price": 900, "stock": 5], ["options": ["Size": "L"], "price": 1200, "stock": 5]],
                    "images": [["url": "https://cdn.example.test/s.jpg"], ["url": "https://cdn.example.test/l.jpg", "alt": "Large"]],
                ])
            let product = try made.decode(Product.self)
            let large = try #require(product.variants.first { $0.title.contains("L") })
            let image = try #require(product.images.last)
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let page = try await browser.get("/admin/products/\(product.id)", host: store.host)
            #expect(page.html.contains("Image per variant") && page.html.contains("Image 2: Large"))
            let saved = try await browser.post(
                "/admin/products/\(product.id)/variants/\(large.id)/image", host: store.host, form: ["imageId": image.id], csrf: page.csrf)
            #expect(saved.status == .seeOther)
            let after = try await client.call(.get, "/api/products/\(product.id)", store: store).decode(Product.self)
            #expect(after.variants.first { $0.id == large.id }?.imageId == image.id)
        }
    }
}
