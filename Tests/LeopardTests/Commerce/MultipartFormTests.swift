import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import LeopardOperations

@Suite("Multipart bodies")
struct MultipartFormTests {
    static let boundary = "d81606a7040825c2219884b470d84db6"

    func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test("parts are read with their names, bodies keep CRLFs, a preamble and an epilogue are ignored")
    func reads() throws {
        let text =
            "preamble\r\n--b\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\nA cat\r\n"
            + "--b \t\r\ncontent-disposition: form-data; name=file; filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n"
            + "line1\r\n--notb\r\nline2\r\n--b--\r\nepilogue"
        let form = try MultipartForm(body(text), boundary: "b")
        #expect(form.parts.count == 2)
        #expect(form.first(named: "alt").map { String(buffer: $0.body) } == "A cat")
        #expect(form.first(named: "file").map { String(buffer: $0.body) } == "line1\r\n--notb\r\nline2")
        #expect(form.first(named: "file")?.headers.last?.value == "image/png")
        #expect(try MultipartForm(body("--b\r\n\r\nno headers\r\n--b--"), boundary: "b").parts.first?.name == nil)
    }

    @Test(
        "malformed bodies are refused without trapping",
        arguments: [
            // The body schemathesis sent that stopped the server under MultipartKit 4.7.1.
            "--\(boundary)\r\nI\u{CE}V--\(boundary)--\r\n",
            "--\(boundary)\r\n\u{CE}: x\r\n\r\nbody\r\n--\(boundary)--\r\n",
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nnever ends",
            "--\(boundary)X\r\n\r\nbody\r\n--\(boundary)--",
            "--\(boundary)\r\nNo colon here\r\n\r\nbody\r\n--\(boundary)--",
            "--\(boundary)\r\n: empty name\r\n\r\nbody\r\n--\(boundary)--",
            "--\(boundary)\r\nName\u{0}: nul\r\n\r\nbody\r\n--\(boundary)--",
            "no delimiter at all",
            "",
            "--\(boundary)",
        ])
    func refuses(text: String) {
        #expect(throws: MultipartForm.Malformed.self) { try MultipartForm(body(text), boundary: Self.boundary) }
    }

    @Test("a boundary outside RFC 2046's characters or over 70 of them is refused")
    func boundaries() {
        for boundary in ["", "a\r\nb", "ends ", String(repeating: "x", count: 71), "caf\u{E9}"] {
            #expect(throws: MultipartForm.Malformed.self) { try MultipartForm(body("--\(boundary)--"), boundary: boundary) }
        }
        #expect(MultipartForm.isValidBoundary("----WebKitFormBoundary7MA4YWxkTrZu0gW"))
    }

    @Test("ten thousand random mutations of a valid body never trap")
    func mutations() {
        let valid = Array(
            ("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n\u{89}PNG\r\n"
                + "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\nalt\r\n--\(Self.boundary)--\r\n").utf8)
        var generator = SplitMix(seed: 20_261_204)
        var parsed = 0
        for _ in 0..<10_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                }
            }
            if (try? MultipartForm(ByteBuffer(bytes: bytes), boundary: Self.boundary)) != nil { parsed += 1 }
        }
        // Some mutations land in a body and still parse; most break the framing. Both are fine.
        #expect(parsed > 0 && parsed < 10_000)
    }

    @Test("the upload that stopped the server gets a 400 and the store keeps answering", arguments: TestPlatform.storages)
    func uploadRoute(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Multipart Shop")
            let product = try #require(try await client.makeProduct(store, title: "Frame", price: 100, stock: 1)["id"] as? String)
            let crafted = "--\(Self.boundary)\r\nI\u{CE}V--\(Self.boundary)--\r\n"
            let response = try await client.execute(
                uri: "/api/products/\(product)/images", method: .post,
                headers: [
                    HTTPField.Name("Host")!: store.host, .authorization: "Bearer \(store.token)",
                    .contentType: "multipart/form-data; boundary=\(Self.boundary)",
                ], body: ByteBuffer(string: crafted))
            #expect(response.status == .badRequest)
            #expect(try await client.call(.get, "/api/products/\(product)", store: store).status == .ok)
        }
    }
}

/// A seeded generator, so a failing mutation run can be repeated.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
