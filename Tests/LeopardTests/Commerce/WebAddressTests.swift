import Foundation
import HummingbirdTesting
import Testing

@Suite("Image and logo addresses")
struct WebAddressTests {
    static let refused = [
        "http://[oops/a.png", "https://shop]example.test/a.png", "http:///a.png", "https://:443/a.png", "//cdn.test/a.png", "ftp://a.test/b.png",
        "http://[x@cdn.test/a.png", "http://[1.2.3.4]/a.png", "http://[abc]/a.png", "http://[\u{301}x/a.png", "//\u{301}evil.test/a.png",
        "http://a\u{FF03}b/a.png", "http://cdn.test:abc/a.png", "http://cdn.test:70000/a.png", "http://[::1]:\u{663}/a.png", "http://u@/a.png",
        "https://bücher.test/a.png",
    ]
    static let accepted = [
        "https://cdn.example.test/a.png", "http://[2001:db8::1]:8080/a.png", "https://user:secret@cdn.example.test/a.png", "/media/a.png",
        "https://cdn.example.test:8443/a.png?v=2#top", "https://cdn.example.test?v=2", "https://cdn.example.test#top", "https://xn--bcher-kva.test/a.png",
    ]

    @Test("an image or logo URL without a proper host is a 422, and a proper one is kept")
    func hosts() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Address Shop")
            for url in Self.refused {
                let product = try await client.call(.post, "/api/products", store: store, json: ["title": "Mug", "price": 100, "images": [["url": url]]])
                #expect(product.status == .unprocessableContent, "\(url) → \(product.status)")
                #expect(product.errorFields == ["images.0.url"], "\(url)")
                let settings = try await client.call(.patch, "/api/settings", store: store, json: ["logoUrl": url])
                #expect(settings.status == .unprocessableContent, "\(url) → \(settings.status)")
                #expect(settings.errorFields == ["logoUrl"], "\(url)")
            }
            let list = try await client.call(.get, "/api/products", store: store)
            #expect((list.json["data"] as? [Any])?.isEmpty == true)
            for url in Self.accepted {
                let product = try await client.call(.post, "/api/products", store: store, json: ["title": "Mug", "price": 100, "images": [["url": url]]])
                #expect(product.status == .created, "\(url) → \(product.text)")
                #expect((product.json["images"] as? [[String: Any]])?.first?["url"] as? String == url)
                let settings = try await client.call(.patch, "/api/settings", store: store, json: ["logoUrl": url])
                #expect(settings.status == .ok, "\(url) → \(settings.text)")
                #expect(settings.json["logoUrl"] as? String == url)
            }
        }
    }
}
