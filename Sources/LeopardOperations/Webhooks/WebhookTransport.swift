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

/// Webhooks over async-http-client; the response body is not read beyond 64 KiB. Unless
/// private targets are allowed, the host name is resolved and checked first (`WebhookAddressGuard`)
/// and the connection goes to the checked address only: a client of its own per delivery, with
/// the name pinned to that address (TLS still verifies the name), so nothing resolves it again.
struct HTTPWebhookTransport: WebhookTransport {
    let client: HTTPClient
    let addresses: WebhookAddressGuard

    func post(url: String, headers: [(String, String)], body: Data, timeout: Duration) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(data: body))
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        guard !addresses.allowPrivate else { return try await Self.execute(request, on: client, milliseconds: milliseconds) }
        guard let host = URLComponents(string: url)?.host, !host.isEmpty else { throw WebhookAddressGuard.Unresolved(host: "") }
        let address = try await addresses.address(for: host)
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(30)))
        configuration.dnsOverride = [host: address]
        let pinned = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            let status = try await Self.execute(request, on: pinned, milliseconds: milliseconds)
            try await pinned.shutdown()
            return status
        } catch {
            try? await pinned.shutdown()  // the delivery's own error is the one to report
            throw error
        }
    }

    static func execute(_ request: HTTPClientRequest, on client: HTTPClient, milliseconds: Int64) async throws -> Int {
        let response = try await client.execute(request, timeout: .milliseconds(milliseconds))
        _ = try? await response.body.collect(upTo: 64 * 1024)  // the status is the answer; a body cut short changes nothing
        return Int(response.status.code)
    }
}
