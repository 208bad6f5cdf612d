import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// How a webhook is sent: a POST that answers with a status code or throws.
protocol WebhookTransport: Sendable {
    func post(url: String, headers: [(String, String)], body: Data, timeout: Duration) async throws -> Int
}

extension HTTPClient {
    /// The platform's outbound client (merchant webhooks, Stripe): redirects are not followed
    /// (a 3xx is a failed delivery, as with Shopify and Stripe), connections time out after 5 s.
    static func leopard() -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(30))
        )
        configuration.connectionPool = .init(idleTimeout: .seconds(30))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}

/// Webhooks over async-http-client; the response body is not read beyond 64 KiB.
struct HTTPWebhookTransport: WebhookTransport {
    let client: HTTPClient

    func post(url: String, headers: [(String, String)], body: Data, timeout: Duration) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(data: body))
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        let response = try await client.execute(request, timeout: .milliseconds(milliseconds))
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return Int(response.status.code)
    }
}
