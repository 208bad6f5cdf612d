import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// How a webhook is sent: a POST that answers with a status code or throws.
protocol WebhookTransport: Sendable {
    func post(url: String, headers: [(String, String)], body: Data, timeout: Duration) async throws -> Int
}

/// Webhooks over async-http-client: redirects are not followed (a 3xx is a failed delivery, as
/// with Shopify and Stripe), and the response body is not read beyond 64 KiB.
final class HTTPWebhookTransport: WebhookTransport {
    let client: HTTPClient

    init() {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(10))
        )
        configuration.connectionPool = .init(idleTimeout: .seconds(30))
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

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

    func shutdown() async {
        try? await client.shutdown()
    }
}
