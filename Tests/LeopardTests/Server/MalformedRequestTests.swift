import Foundation
import NIOCore
import NIOPosix
import Testing

/// Bytes that are not HTTP, sent to a live server: a 400, never a 500.
@Suite("Malformed requests", .timeLimit(.minutes(3)))
struct MalformedRequestTests {
    /// Sends `request` as is and returns the response head (status line and headers), or what
    /// came within 20 seconds.
    static func exchange(port: Int, _ request: String) async throws -> String {
        switch await finishes(within: .seconds(20), { try await send(port: port, request) }) {
        case .success(let head): return head
        case .failure(let error): throw error
        case nil: return "no answer within 20 seconds"
        }
    }

    static func send(port: Int, _ request: String) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var text = ""
            for try await chunk in inbound {
                text += String(buffer: chunk)
                if let end = text.range(of: "\r\n\r\n") { return String(text[..<end.lowerBound]) }
            }
            return text
        }
    }

    @Test("a body that breaks off mid-request (a broken chunk) gets a 400 and a problem, not a 500")
    func brokenChunk() async throws {
        try await TestPlatform.withLiveServer { _, baseURL in
            let port = try #require(baseURL.port)
            let head = try await Self.exchange(
                port: port,
                "POST /api/tenants HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\n{\"sto\r\nzz\r\n")
            #expect(head.hasPrefix("HTTP/1.1 400"), "\(head)")
            #expect(!head.hasPrefix("HTTP/1.1 500"))
        }
    }

    @Test("a request line that is not HTTP gets a 400")
    func garbage() async throws {
        try await TestPlatform.withLiveServer { _, baseURL in
            let port = try #require(baseURL.port)
            let head = try await Self.exchange(port: port, "HELLO\u{0}WORLD\r\n\r\n")
            #expect(head.hasPrefix("HTTP/1.1 400"), "\(head)")
        }
    }
}
