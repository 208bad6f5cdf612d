import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import SQLKit
import Synchronization
import Testing

@testable import LeopardOperations
@testable import LeopardServer

/// The registry's change feed losing its PostgreSQL connection (a server restart, a dropped
/// connection) and coming back: counted, logged both ways, and visible on /readyz.
@Suite(
    "Change feed outages", .timeLimit(.minutes(3)),
    .enabled(if: PostgresTestCluster.isAvailable, Comment(rawValue: PostgresTestCluster.skipReason)))
struct ChangeFeedOutageTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func append(_ line: String) { lines.withLock { $0.append(line) } }
    }

    struct Health: Decodable {
        let status: String
        let changeFeed: String?
        let changeFeedDownSince: String?
    }

    /// Waits (at most 30 seconds, polling) for the feed to be in a state `matches` accepts.
    func waitFor(_ feed: TenantChangeFeed, _ matches: @escaping @Sendable (TenantChangeFeed.State) -> Bool) async -> TenantChangeFeed.State? {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let state = await feed.state
            if matches(state) { return state }
            try? await Task.sleep(for: .milliseconds(10))  // cancellation ends the wait at the deadline check
        }
        return nil
    }

    @Test("a dropped LISTEN connection is logged, counted, shown on /readyz, and the feed comes back")
    func outageAndReturn() async throws {
        let lines = Lines()
        var logger = Logger(label: "leopard.test.feed") { label in JSONLogHandler(label: label) { line in lines.append(line) } }
        logger.logLevel = .info
        try await TestPlatform.withPlatform(.postgres, logger: logger) { platform, client in
            let feed = platform.services.changeFeed
            #expect(await waitFor(feed) { $0 == .listening } != nil, "the feed never listened")
            let ready = try await client.execute(uri: "/readyz", method: .get, headers: [:], body: nil)
            #expect(try JSONDecoder().decode(Health.self, from: Data(buffer: ready.body)).changeFeed == "listening")

            // The feed's own connection goes, as in a PostgreSQL restart.
            _ = try await platform.services.platformDatabase.write { sql in
                try await sql.raw(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
                ).all()
            }
            let down = await waitFor(feed) { if case .down = $0 { true } else { false } }
            #expect(down != nil, "the feed never said it was down")
            let during = try await client.execute(uri: "/readyz", method: .get, headers: [:], body: nil)
            let health = try JSONDecoder().decode(Health.self, from: Data(buffer: during.body))
            #expect(during.status == .ok, "a feed that is down slows cache updates; it does not make the instance unready")
            if case .down = await feed.state {
                #expect(health.changeFeed == "down")
                #expect(health.changeFeedDownSince != nil)
            }

            #expect(await waitFor(feed) { $0 == .listening } != nil, "the feed did not come back")
            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: .operatorAuth, body: nil)
            let text = String(buffer: metrics.body)
            #expect(text.contains("leopard_tenant_change_feed_outages_total 1"), "\(text.prefix(400))")
            #expect(text.contains("leopard_tenant_change_feed_up 1"))
            let messages = lines.all
            #expect(messages.contains { $0.contains("the tenant change feed stopped") })
            #expect(messages.contains { $0.contains("the tenant change feed is back") })
        }
    }
}
