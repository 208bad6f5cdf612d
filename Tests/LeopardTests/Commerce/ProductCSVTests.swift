import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardCommerce
import NIOCore
import Testing

@Suite("Product CSV import and export")
struct ProductCSVTests {
    func importCSV(_ client: some TestClientProtocol, _ store: StoreFixture, _ text: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/products/import", method: .post,
            headers: [
                HTTPField.Name("Host")!: store.host, .authorization: "Bearer \(store.token)", .contentType: "text/csv",
            ], body: ByteBuffer(string: text))
    }

    static let header = "handle,title,description,status,category,tags,options,sku,price,compare_at_price,stock,track_inventory,images\n"

    @Test("CSV parsing: quotes, doubled quotes, line breaks in fields, CRLF")
    func parsing() throws {
        let rows = try CSV.parse("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",x,\r\n")
        #expect(rows.map(\.fields) == [["a", "b,c", "say \"hi\""], ["two\nlines", "x", ""]])
        #expect(rows.map(\.line) == [1, 2])
        #expect(throws: CSV.Malformed.self) { try CSV.parse("a,\"open\n") }
        #expect(CSV.line(["=SUM(A1)", "-5", "a,b"]) == "'=SUM(A1),-5,\"a,b\"")
    }

    @Test("import creates products with variants, export gives them back, a second import updates", arguments: TestPlatform.storages)
    func roundTrip(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("CSV Shop")
            #expect(try await client.call(.post, "/api/categories", store: store, json: ["name": "Shirts"]).status == .created)
            let text =
                Self.header + """
                    tee,Tee,"Soft, cotton",active,shirts,summer;cotton,Size=S,TEE-S,1500,,3,true,https://cdn.example.test/tee.jpg
                    tee,,,,,,Size=M,TEE-M,1600,1800,0,true,
                    mug,Mug,,draft,,,,MUG,900,,12,true,

                    """
            let imported = try await importCSV(client, store, text)
            #expect(imported.status == .ok, "\(imported.text)")
            #expect(imported.json["created"] as? Int == 2)

            let tee = try await client.call(.get, "/api/products/tee", store: store)
            #expect(tee.json["description"] as? String == "Soft, cotton")
            #expect((tee.json["variants"] as? [[String: Any]])?.compactMap { $0["sku"] as? String } == ["TEE-S", "TEE-M"])
            #expect(tee.json["categoryId"] as? String != nil)
            let teeVariant = (tee.json["variants"] as? [[String: Any]])?.first?["id"] as? String

            let export = try await client.call(.get, "/api/products/export", store: store)
            #expect(export.status == .ok)
            #expect(export.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = export.text.split(separator: "\r\n")
            #expect(lines.count == 4)
            #expect(lines.first == Substring(ProductCSV.header.joined(separator: ",")))

            // Importing the export again updates in place, keeping variant ids.
            let again = try await importCSV(client, store, export.text)
            #expect(again.json["updated"] as? Int == 2, "\(again.text)")
            let teeAfter = try await client.call(.get, "/api/products/tee", store: store)
            #expect((teeAfter.json["variants"] as? [[String: Any]])?.first?["id"] as? String == teeVariant)
        }
    }

    @Test("a bad row anywhere rejects the whole file, naming each line", arguments: TestPlatform.storages)
    func allOrNothing(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Strict CSV")
            let text =
                Self.header + """
                    good,Good,,active,,,,G-1,100,,1,true,
                    bad-price,Bad,,active,,,,B-1,12.50,,1,true,
                    no-title,,,active,,,,N-1,100,,1,true,
                    Bad Handle,X,,active,,,,X-1,100,,1,true,
                    short,Short,,active,,,,S-1,100
                    unknown-category,Cat,,active,nowhere,,,U-1,100,,1,true,

                    """
            let response = try await importCSV(client, store, text)
            #expect(response.status == .unprocessableContent)
            let fields = Set(response.errorFields)
            #expect(fields.contains("lines.3.price"), "\(response.text)")
            #expect(fields.contains("lines.4.title"))
            #expect(fields.contains("lines.5.handle"))
            #expect(fields.contains("lines.6"))
            let list = try await client.call(.get, "/api/products", store: store)
            #expect((list.json["data"] as? [Any])?.isEmpty == true)

            // A category that does not exist is found in the write pass; still nothing is kept.
            let late = try await importCSV(
                client, store, Self.header + "fine,Fine,,active,,,,F-1,100,,1,true,\nunknown-category,Cat,,active,nowhere,,,U-1,100,,1,true,\n")
            #expect(late.status == .unprocessableContent)
            #expect(late.errorFields == ["lines.3.category"])
            #expect(try await client.call(.get, "/api/products/fine", store: store).status == .notFound)

            #expect(try await importCSV(client, store, "").status == .unprocessableContent)
            #expect(try await importCSV(client, store, "handle,title\n").status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/products/export", store: store, staff: false).status == .unauthorized)
        }
    }
}
