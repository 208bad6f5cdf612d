import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Product images")
struct ProductImageTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 64)
    static let gif: [UInt8] = Array("GIF89a".utf8) + Array(repeating: 1, count: 32)

    func multipart(file: [UInt8], fileName: String = "photo.png", alt: String? = nil) -> (ByteBuffer, String) {
        let boundary = "leopard-test-boundary"
        var body = ByteBuffer()
        if let alt {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\n\(alt)\r\n")
        }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\nContent-Type: image/png\r\n\r\n")
        body.writeBytes(file)
        body.writeString("\r\n--\(boundary)--\r\n")
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    func upload(
        _ client: some TestClientProtocol, _ store: StoreFixture, product: String, file: [UInt8], fileName: String = "photo.png", alt: String? = nil
    ) async throws -> TestResponse {
        let (body, contentType) = multipart(file: file, fileName: fileName, alt: alt)
        return try await client.execute(
            uri: "/api/products/\(product)/images", method: .post,
            headers: [
                HTTPField.Name("Host")!: store.host, .authorization: "Bearer \(store.token)", .contentType: contentType,
            ], body: body)
    }

    @Test("uploads are recognised by their bytes, stored per store, served with long cache headers", arguments: TestPlatform.storages)
    func uploads(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Photo Shop")
            let other = try await client.makeStore("Other Photo Shop")
            let product = try #require(try await client.makeProduct(store, title: "Frame", price: 100, stock: 1)["id"] as? String)

            let uploaded = try await upload(client, store, product: product, file: Self.png, alt: "A frame")
            #expect(uploaded.status == .created, "\(uploaded.text)")
            let image = try #require((uploaded.json["images"] as? [[String: Any]])?.first)
            let url = try #require(image["url"] as? String)
            #expect(url.hasPrefix("/media/img_") && url.hasSuffix(".png"))
            #expect(image["alt"] as? String == "A frame")

            let served = try await client.execute(uri: url, method: .get, headers: .host(store.host))
            #expect(served.status == .ok)
            #expect(Array(served.body.readableBytesView) == Self.png)
            #expect(served.headers[.contentType] == "image/png")
            #expect(served.headers[.cacheControl]?.contains("max-age=31536000") == true)
            // The file lives in the store's own folder and nowhere else.
            let folder = platform.directory.url.appendingPathComponent("media/\(store.id)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 1)
            #expect(try await client.execute(uri: url, method: .get, headers: .host(other.host)).status == .notFound)
            #expect(try await client.execute(uri: "/media/..%2F..%2Fsecret.key", method: .get, headers: .host(store.host)).status == .notFound)

            // A GIF named .png is stored as what it is.
            let gif = try await upload(client, store, product: product, file: Self.gif, fileName: "cat.png")
            let gifURL = (gif.json["images"] as? [[String: Any]])?.last?["url"] as? String
            #expect(gifURL?.hasSuffix(".gif") == true)

            let text = try await upload(client, store, product: product, file: Array("<script>alert(1)</script>".utf8), fileName: "evil.png")
            #expect(text.status == .unsupportedMediaType)
            let huge = try await upload(client, store, product: product, file: Self.png + Array(repeating: 0, count: 11 * 1024 * 1024))
            #expect(huge.status == .contentTooLarge)
            let missing = try await upload(client, store, product: "prod_01jd0000000000000000000000", file: Self.png)
            #expect(missing.status == .notFound)
            let foreign = try await upload(client, other, product: product, file: Self.png)
            #expect(foreign.status == .notFound)

            let external = try await client.call(
                .post, "/api/products/\(product)/images", store: store, json: ["url": "https://cdn.example.test/x.jpg", "alt": "Side"])
            #expect(external.status == .created)
            #expect((external.json["images"] as? [Any])?.count == 3)
            let badURL = try await client.call(.post, "/api/products/\(product)/images", store: store, json: ["url": "javascript:alert(1)"])
            #expect(badURL.status == .unprocessableContent)

            // A PATCH that keeps the upload keeps its file; one that drops it deletes the file.
            let kept = try await client.call(
                .patch, "/api/products/\(product)", store: store, json: ["images": [["url": url, "alt": "Renamed"]], "title": "Frame"])
            #expect((kept.json["images"] as? [[String: Any]])?.first?["id"] as? String == image["id"] as? String)
            #expect(try await client.execute(uri: url, method: .get, headers: .host(store.host)).status == .ok)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 1)
            let imageID = try #require(image["id"] as? String)
            #expect(try await client.call(.delete, "/api/products/\(product)/images/\(imageID)", store: store).status == .noContent)
            #expect(try await client.execute(uri: url, method: .get, headers: .host(store.host)).status == .notFound)
            #expect(try await client.call(.delete, "/api/products/\(product)/images/\(imageID)", store: store).status == .notFound)

            // Replacing the images drops the files no longer used; deleting the product, the rest.
            let second = try await upload(client, store, product: product, file: Self.png)
            let secondURL = try #require((second.json["images"] as? [[String: Any]])?.last?["url"] as? String)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 1)
            let replaced = try await client.call(
                .put, "/api/products/\(product)", store: store, json: ["title": "Frame", "price": 100, "images": [["url": "https://cdn.example.test/x.jpg"]]])
            #expect(replaced.status == .ok)
            #expect(try await client.execute(uri: secondURL, method: .get, headers: .host(store.host)).status == .notFound)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
            let third = try await upload(client, store, product: product, file: Self.png)
            #expect(third.status == .created)
            #expect(try await client.call(.delete, "/api/products/\(product)", store: store).status == .noContent)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        }
    }
}
