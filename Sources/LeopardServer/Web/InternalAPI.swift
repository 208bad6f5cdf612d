import Foundation
import HTTPTypes
import Hummingbird
import LeopardCore
import NIOCore

/// The HTML pages' way into the JSON API: a request handed straight to the API router, in
/// process, with the caller's store and database in the context. Pages that change things (pay,
/// save a product, fulfil an order) go through it, so that the browser and API clients meet
/// exactly the same checks, idempotency and side effects.
struct InternalAPI: Sendable {
    let responder: RouterResponder<AppContext>

    struct Reply: Sendable {
        let status: Int
        let body: ByteBuffer

        var succeeded: Bool { (200..<300).contains(status) }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try JSONDecoder().decode(T.self, from: Data(buffer: body))
        }

        /// The problem's field errors (`shippingAddress.city: is required`) and its detail.
        var problem: (detail: String, errors: [(field: String, message: String)]) {
            struct Body: Decodable {
                struct FieldError: Decodable { let field: String; let message: String }
                let title: String?
                let detail: String?
                let errors: [FieldError]?
            }
            let decoded = try? JSONDecoder().decode(Body.self, from: Data(buffer: body))
            return (decoded?.detail ?? decoded?.title ?? "Something went wrong; try again.", (decoded?.errors ?? []).map { ($0.field, $0.message) })
        }
    }

    func send(_ method: HTTPRequest.Method, _ path: String, json: (any Encodable)? = nil, body: ByteBuffer? = nil, contentType: String? = nil,
              bearer: String? = nil, headers extra: HTTPFields = [:], context: AppContext) async throws -> Reply {
        var headers = extra
        var payload = body ?? ByteBuffer()
        if let json {
            payload = ByteBuffer(data: try JSONBodyEncoder.encode(json))
            headers[.contentType] = "application/json"
        } else if let contentType {
            headers[.contentType] = contentType
        }
        if let bearer { headers[.authorization] = "Bearer " + bearer }
        let request = Request(head: HTTPRequest(method: method, scheme: "http", authority: "internal", path: path, headerFields: headers),
                              body: .init(buffer: payload))
        var inner = context
        inner.staff = nil
        inner.customer = nil
        inner.bearerToken = nil
        let response = try await responder.respond(to: request, context: inner)
        let collector = BodyCollector()
        try await response.body.write(collector)
        return Reply(status: Int(response.status.code), body: collector.buffer)
    }
}

/// Gathers a response body in memory. Used by one task at a time, inside `send`.
final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ part: ByteBuffer) async throws {
        var part = part
        buffer.writeBuffer(&part)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
