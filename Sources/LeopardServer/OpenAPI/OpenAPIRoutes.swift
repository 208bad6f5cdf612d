import Foundation
import Hummingbird
import NIOCore

/// `GET /openapi.json`: the platform's document on the platform host, a store's on store hosts.
struct OpenAPIRoutes {
    static let platform = encode(OpenAPIExport.document(.platform))
    static let store = encode(OpenAPIExport.document(.store))

    static func encode(_ document: JSONValue) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return ByteBuffer(data: (try? encoder.encode(document)) ?? Data("{}".utf8))
    }

    let document: ByteBuffer

    func register(on router: Router<AppContext>) {
        let document = self.document
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"], body: .init(byteBuffer: document))
        }
    }
}
