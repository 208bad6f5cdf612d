import Foundation
import LeopardStorage
import SQLKit
import Testing

extension PostgresPlatformTests {
    @Test(
        "a session the server ends in the middle of a transaction fails its next statement at once, as unavailable, instead of waiting forever",
        .timeLimit(.minutes(1)))
    func endedSessionFailsFast() async throws {
        let server = try await PostgresTestCluster.shared.server()
        let handle = try await PostgresDatabaseHandle.connect(server: server, maximumConnections: 2, leaseTimeout: .seconds(10))
        let admin = try await PostgresDatabaseHandle.connect(server: server, maximumConnections: 1)
        let outcome = await finishes(within: .seconds(30)) {
            try await handle.write { sql in
                let pid = try #require(try await sql.raw("SELECT pg_backend_pid() AS pid").first()?.decode(column: "pid", as: Int.self))
                let ended = try await admin.read { admin in
                    try await admin.raw("SELECT pg_terminate_backend(\(bind: pid)::int, 5000) AS ended").first()?.decode(column: "ended", as: Bool.self)
                }
                #expect(ended == true)
                try await sql.raw("SELECT 1").run()
            }
        }
        guard let outcome else {
            Issue.record("the statement after the session ended never finished")
            return
        }
        guard case .failure(let error) = outcome else {
            Issue.record("the statement after the session ended must fail")
            return
        }
        #expect(DatabaseErrors.isUnavailable(error), "\(String(reflecting: error))")
        // The pool replaces the lost connection.
        #expect(try await handle.read { try await $0.raw("SELECT 1 AS one").first()?.decode(column: "one", as: Int.self) } == 1)
        await handle.close()
        await admin.close()
    }
}
