import Foundation
import LeopardServer
import LeopardStorage
import Testing

@testable import LeopardOperations

@Suite(
    "PostgreSQL: start-up errors say what failed",
    .enabled(if: PostgresTestCluster.isAvailable, Comment(rawValue: PostgresTestCluster.skipReason))
)
struct PostgresStartupErrorTests {
    /// The start-up error for `url`, as `serve` would print it.
    static func startError(_ url: String) async throws -> String {
        let directory = try TemporaryDirectory()
        let configuration = TestPlatform.configuration(directory: directory, databaseURL: url)
        do {
            let services = try await PlatformServices.start(configuration, makeOperatorToken: false)
            await services.shutdown()
            Issue.record("the platform started with \(url)")
            return ""
        } catch {
            return String(describing: error)
        }
    }

    @Test("a role that does not exist: the server's message and code, the host, database and role; never the password")
    func unknownRole() async throws {
        let server = try await PostgresTestCluster.shared.server()
        let url = "postgres://no_such_role:hunter2-secret@\(server.host):\(server.port)/\(server.database)"
        let message = try await Self.startError(url)
        #expect(message.contains("no_such_role"))
        #expect(message.contains("\(server.host):\(server.port)"))
        #expect(message.contains(server.database))
        #expect(message.contains("28000") || message.contains("28P01"), "the SQLSTATE: \(message)")
        #expect(message.contains("does not exist") || message.contains("authentication failed"), "the server's message: \(message)")
        #expect(!message.contains("hunter2"))
        #expect(!message.contains("Generic description"))
    }

    @Test("no server listening: the connection's own error, and where it was tried")
    func nothingListening() async throws {
        let port = try FreePort.tcp()
        let message = try await Self.startError("postgres://leopard:hunter2-secret@127.0.0.1:\(port)/leopard")
        #expect(message.contains("127.0.0.1:\(port)"))
        #expect(message.contains("as role leopard"))
        #expect(message.lowercased().contains("connect"), "why it failed: \(message)")
        #expect(!message.contains("hunter2"))
    }
}
