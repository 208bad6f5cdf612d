import Foundation
import HummingbirdTesting
import LeopardServer
import Testing

extension TestPlatform {
    /// Starts a platform listening on a free port of 127.0.0.1 and runs `body` with its address:
    /// for clients that speak HTTP, like the generated Swift client.
    static func withLiveServer<T: Sendable>(
        _ storage: Storage = .sqlite, _ body: @Sendable (TestPlatform, URL) async throws -> T
    ) async throws -> T {
        try await withPlatform(storage, configure: { $0.port = 0 }) { platform, _ in
            try await buildApplication(platform.services).test(.live) { client in
                let port = try #require(client.port, "the live server reported no port")
                let url = try #require(URL(string: "http://127.0.0.1:\(port)"))
                return try await body(platform, url)
            }
        }
    }
}
