import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Products as CSV in the admin: export, a file checked with every bad line listed, and an
/// import that happens only when every line is right.
@Suite("Admin product import and export")
struct AdminProductImportTests {
    static let boundary = "leopard-test-boundary"

    func multipart(_ fields: [(String, String)], csrf: String?, file: String? = nil) -> ByteBuffer {
        var text = ""
        for (name, value) in fields + (csrf.map { [("_csrf", $0)] } ?? []) {
            text += "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        if let file {
            text +=
                "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"products.csv\"\r\nContent-Type: text/csv\r\n\r\n\(file)\r\n"
        }
        return ByteBuffer(string: text + "--\(Self.boundary)--\r\n")
    }

    func post(_ browser: BrowserClient, _ store: StoreFixture, _ body: ByteBuffer) async throws -> BrowserClient.Page {
        try await browser.send(
            .post, "/admin/products/import", host: store.host, body: body, contentType: "multipart/form-data; boundary=\(Self.boundary)", headers: [:])
    }

    @Test("a file is checked line by line; one with errors imports nothing; a good one imports once confirmed", arguments: TestPlatform.storages)
    func importFlow(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Import Shop")
            _ = try await client.makeProduct(store, title: "Old Mug", price: 900, stock: 2, extra: ["slug": "old-mug"])
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let export = try await browser.get("/admin/products/export", host: store.host)
            #expect(export.status == .ok && export.html.hasPrefix("handle,") && export.html.contains("old-mug"))
            let page = try await browser.get("/admin/products/import", host: store.host)
            #expect(page.status == .ok && page.html.contains("Check the file"))

            let bad = "handle,title,price\r\nnew-bowl,Bowl,1200\r\nbroken,Plate,twelve\r\n,No handle,100\r\n"
            let checked = try await post(browser, store, multipart([("action", "preview")], csrf: page.csrf, file: bad))
            #expect(checked.status == .ok)
            #expect(checked.html.contains("Nothing can be imported yet") && checked.html.contains(">3<") && checked.html.contains(">4<"))
            #expect(!checked.html.contains("name=\"csvBase64\""), "no import button for a file with errors")
            #expect((try await client.call(.get, "/api/products", store: store).json["data"] as? [Any])?.count == 1, "a check changes nothing")

            let good = "handle,title,price\r\nnew-bowl,Bowl,1200\r\nold-mug,Old Mug,950\r\n"
            let ready = try await post(browser, store, multipart([("action", "preview")], csrf: page.csrf, file: good))
            #expect(
                ready.html.contains("1 new products, 1 replaced")
                    && ready.html.contains("name=\"csvBase64\" value=\"\(Data(good.utf8).base64EncodedString())\""))
            #expect((try await client.call(.get, "/api/products", store: store).json["data"] as? [Any])?.count == 1, "still nothing until confirmed")
            let imported = try await post(
                browser, store, multipart([("action", "import"), ("csvBase64", Data(good.utf8).base64EncodedString())], csrf: ready.csrf))
            #expect(imported.status == .seeOther && imported.location == "/admin/products?done=imported")
            let products = try #require(try await client.call(.get, "/api/products", store: store).json["data"] as? [[String: Any]])
            #expect(Set(products.compactMap { $0["slug"] as? String }) == ["new-bowl", "old-mug"])
            #expect((products.first { $0["slug"] as? String == "old-mug" }?["price"] as? [String: Any])?["amount"] as? Int == 950)

            let forged = try await post(browser, store, multipart([("action", "import"), ("csvBase64", Data(good.utf8).base64EncodedString())], csrf: "wrong"))
            #expect(forged.status == .forbidden, "a form without its token does nothing")
            let notText = try await post(browser, store, multipart([("action", "preview")], csrf: ready.csrf, file: "handle,title\u{0},price\r\n"))
            #expect(notText.status == .badRequest)
            let cut = try await post(
                browser, store,
                multipart([("action", "import"), ("csvBase64", Data([0x68, 0x2C, 0xF0, 0x9F, 0x98, 0x41]).base64EncodedString())], csrf: ready.csrf))
            #expect(cut.status == .badRequest, "a cut-off UTF-8 sequence is not text")
        }
    }
}
