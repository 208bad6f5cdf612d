import Foundation
import HummingbirdTesting
import Testing

@testable import LeopardOperations
@testable import LeopardServer

@Suite("Operator token")
struct OperatorTokenTests {
    @Test("Commands that cannot show a new token (backup, restore, migrate, audit, keys) leave its making to serve, which makes it once and shows it")
    func madeOnlyByServe() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var configuration = TestPlatform.configuration(directory: directory, databaseURL: nil)
        configuration.operatorToken = nil

        // As `leopard backup` on a fresh platform: no token made, and none works.
        let command = try await LeopardServices.start(configuration, makeOperatorToken: false)
        #expect(command.newOperatorToken == nil)
        let stored = try await command.platformDatabase.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM platform_settings").first()?.decode(column: "n", as: Int.self)
        }
        #expect(stored == 0)
        await command.shutdown()

        // Then `leopard serve`: the token is made and shown, once.
        let serve = try await LeopardServices.start(configuration)
        let token = try #require(serve.newOperatorToken)
        #expect(serve.operatorCredentials.verify(token))
        await serve.shutdown()
        let again = try await LeopardServices.start(configuration, makeOperatorToken: false)
        #expect(again.newOperatorToken == nil)
        #expect(again.operatorCredentials.verify(token))
        await again.shutdown()
        let restarted = try await LeopardServices.start(configuration)
        #expect(restarted.newOperatorToken == nil)
        #expect(restarted.operatorCredentials.verify(token))
        await restarted.shutdown()
    }
}
