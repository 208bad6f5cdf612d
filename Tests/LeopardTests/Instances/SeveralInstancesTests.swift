import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardCommerce
import LeopardPlatform
import LeopardStorage
import Logging
import SQLKit
import Testing

@testable import LeopardOperations
@testable import LeopardServer

/// Two `leopard serve` instances on one platform database (and the same store databases), as
/// behind a load balancer: the second is a second `LeopardServices` on the first's data
/// directory and database URL, as a second process would be.
@Suite("Several instances on one platform database")
struct SeveralInstancesTests {
    /// Runs `body` with both instances' clients; the second shares the first's data.
    func withTwoInstances(
        _ storage: TestPlatform.Storage, configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestPlatform, any TestClientProtocol, TestPlatform, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestPlatform.withPlatform(storage, configure: configure) { first, firstClient in
            var logger = Logger(label: "leopard.test.second")
            logger.logLevel = .warning
            let second = TestPlatform(services: try await LeopardServices.start(first.services.configuration, logger: logger), directory: first.directory)
            do {
                try await second.withClient { secondClient in
                    try await body(first, firstClient, second, secondClient)
                }
                await second.services.shutdown()  // not stop(): the data directory is the first's
            } catch {
                await second.services.shutdown()
                throw error
            }
        }
    }

    /// Waits for the feed to announce a change to `tenantID`; false when a second passes first.
    func heard(_ changes: AsyncStream<TenantChange>, tenantID: String) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await change in changes where change.tenantID == tenantID { return true }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(1))  // the deadline the issue sets, not a wait for state
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    @Test(
        "a store suspended through one instance is refused by the other within a second, and served again once activated",
        arguments: TestPlatform.storages)
    func suspendReachesTheOtherInstance(storage: TestPlatform.Storage) async throws {
        try await withTwoInstances(storage) { first, firstClient, second, secondClient in
            let store = try await firstClient.makeStore("Twin Shop")
            await second.services.changeFeed.untilListening()
            // The second instance has the store in its look-up cache (30 s lifetime).
            #expect(try await secondClient.call(.get, "/api/store", store: store).status == .ok)

            let changes = await second.services.changeFeed.changes()
            let suspend = try await firstClient.execute(uri: "/api/tenants/\(store.id)/suspend", method: .post, headers: .operatorAuth, body: nil)
            #expect(suspend.status == .ok)
            #expect(await heard(changes, tenantID: store.id), "the second instance heard of the suspension within a second")
            let refused = try await secondClient.call(.get, "/api/store", store: store)
            #expect(refused.status == .serviceUnavailable)

            let again = await second.services.changeFeed.changes()
            let activate = try await firstClient.execute(uri: "/api/tenants/\(store.id)/activate", method: .post, headers: .operatorAuth, body: nil)
            #expect(activate.status == .ok)
            #expect(await heard(again, tenantID: store.id))
            #expect(try await secondClient.call(.get, "/api/store", store: store).status == .ok)
        }
    }

    // The limit only catches a hang: the platform's start and stop under a full parallel run
    // took 45 s in CI and over 60 s once the suite grew. What is asserted is the 10 s wait below.
    @Test("waiting for a change feed that has stopped returns at once instead of waiting forever", .timeLimit(.minutes(3)))
    func stoppedFeedDoesNotHoldWaiters() async throws {
        try await TestPlatform.withPlatform(.sqlite) { platform, _ in
            let feed = TenantChangeFeed(
                platform: platform.services.platformDatabase, server: nil, directory: platform.services.directory,
                logger: Logger(label: "leopard.test.feed"))
            // Stopped (shutdown) before it ever listened.
            let running = Task {
                while !Task.isCancelled { await Task.yield() }
                try await feed.run()
            }
            running.cancel()
            _ = await running.result
            let waited = await finishes(within: .seconds(10)) { await feed.untilListening() }
            #expect(waited != nil, "a waiter on a stopped feed must not hang")
        }
    }

    @Test("a change made outside any instance (a command on the registry) reaches the instances' caches", arguments: TestPlatform.storages)
    func commandLineChangesAreHeard(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Cli Changed Shop")
            await platform.services.changeFeed.untilListening()
            #expect(try await client.call(.get, "/api/store", store: store).status == .ok)
            let changes = await platform.services.changeFeed.changes()
            // Straight to the registry, bypassing the lifecycle service that would drop the cache.
            _ = try await platform.services.registry.transition(id: store.id, from: [.active], to: .deleted)
            #expect(await heard(changes, tenantID: store.id))
            #expect(try await client.call(.get, "/api/store", store: store).status == .notFound)
        }
    }

    @Test(
        "1,000 queued webhook deliveries are sent exactly once by two instances' workers running at the same time",
        .timeLimit(.minutes(3)), arguments: TestPlatform.storages)
    func outboxDeliveredOnceByTwoWorkers(storage: TestPlatform.Storage) async throws {
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            try await withTwoInstances(storage) { first, firstClient, second, _ in
                let store = try await firstClient.makeStore("Busy Hook Shop")
                let endpoint = try await firstClient.call(.post, "/api/webhooks", store: store, json: ["url": url, "events": ["product.created"]])
                try #require(endpoint.status == .created, "\(endpoint.text)")
                let tenant = try #require(try await first.services.registry.find(id: store.id))
                let queued = try await first.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                    try await database.write { sql in
                        var ids: [String] = []
                        for index in 0..<1000 {
                            let id = try await Outbox.publish(.productCreated, objectID: "prod_\(index)", now: Date(), on: sql) { ["id": "prod_\(index)"] }
                            if let id { ids.append(id) }
                        }
                        return ids
                    }
                }
                #expect(queued.count == 1000)

                async let one = first.services.webhookDispatcher.runPass(everything: true)
                async let two = second.services.webhookDispatcher.runPass(everything: true)
                let (sentByFirst, sentBySecond) = await (one, two)
                #expect(sentByFirst + sentBySecond == 1000, "every claim was one delivery: \(sentByFirst) + \(sentBySecond)")
                #expect(sentByFirst > 0 && sentBySecond > 0, "both workers took part: \(sentByFirst) + \(sentBySecond)")

                let received = await receiver.received
                let events = received.compactMap { $0.header("X-Leopard-Event-Id") }
                #expect(received.count == 1000)
                #expect(Set(events) == Set(queued), "each event arrived once")
                // Nothing is left to send, by either.
                #expect(await first.services.webhookDispatcher.runPass(everything: true, now: { Date().addingTimeInterval(86400) }) == 0)
                #expect(await second.services.webhookDispatcher.runPass(everything: true, now: { Date().addingTimeInterval(86400) }) == 0)
            }
        }
    }

    @Test(
        "rate limits count across instances: signups and failed sign-ins through either add up; keys are stored as digests",
        arguments: TestPlatform.storages)
    func rateLimitsAreShared(storage: TestPlatform.Storage) async throws {
        try await withTwoInstances(
            storage,
            configure: {
                $0.signupRateLimit = 2
                $0.loginFailureLimit = 3
            }
        ) { first, firstClient, second, secondClient in
            #expect(try await firstClient.signup(storeName: "Limit One").status == .created)
            #expect(try await secondClient.signup(storeName: "Limit Two").status == .created)
            let third = try await firstClient.signup(storeName: "Limit Three")
            #expect(third.status == .tooManyRequests, "the second instance's signup counted on the first")
            #expect(third.headers[.retryAfter] != nil)
            #expect(try await secondClient.signup(storeName: "Limit Four").status == .tooManyRequests)

            let host = "limit-one.localhost"
            let wrong: [String: Any] = ["email": "owner@example.test", "password": "not the password"]
            #expect(try await firstClient.call(.post, "/api/auth/login", host: host, json: wrong).status == .unauthorized)
            #expect(try await secondClient.call(.post, "/api/auth/login", host: host, json: wrong).status == .unauthorized)
            #expect(try await firstClient.call(.post, "/api/auth/login", host: host, json: wrong).status == .unauthorized)
            let locked = try await secondClient.call(
                .post, "/api/auth/login", host: host, json: ["email": "owner@example.test", "password": "correct horse battery"])
            #expect(locked.status == .tooManyRequests, "three failures through two instances lock the account on both")

            let stored = try await first.services.platformDatabase.read { sql in
                try await sql.raw("SELECT bucket FROM rate_limit_events").all().map { try $0.decode(column: "bucket", as: String.self) }
            }
            #expect(!stored.isEmpty)
            #expect(stored.allSatisfy { $0.count == 64 && !$0.contains("@") && !$0.contains(".") }, "digests, not addresses: \(stored)")
        }
    }

    @Test(
        "a staff session made through one instance works on the other, and a sign-out through either ends it on both",
        arguments: TestPlatform.storages)
    func sessionsAreShared(storage: TestPlatform.Storage) async throws {
        try await withTwoInstances(storage) { _, firstClient, _, secondClient in
            let store = try await firstClient.makeStore("Session Twin Shop")
            #expect(try await secondClient.call(.get, "/api/orders", store: store).status == .ok)
            #expect(try await secondClient.call(.post, "/api/auth/logout", store: store).status == .noContent)
            #expect(try await firstClient.call(.get, "/api/orders", store: store).status == .unauthorized)
        }
    }

    @Test(
        "a scheduled backup run due on two instances at once backs up each store once, the work shared through the job queue",
        arguments: TestPlatform.storages)
    func scheduledBackupsRunOnce(storage: TestPlatform.Storage) async throws {
        try await withTwoInstances(storage) { first, firstClient, second, _ in
            var stores: [StoreFixture] = []
            for index in 0..<6 { stores.append(try await firstClient.makeStore("Backup Twin \(index)")) }
            let folder = first.directory.url.appendingPathComponent("scheduled-backups")
            func schedule(_ platform: TestPlatform) -> BackupScheduleService {
                BackupScheduleService(
                    backups: StoreBackups(services: platform.services.platform), directory: folder, interval: .seconds(3600), keep: 3,
                    logger: platform.services.logger)
            }
            let now = Date()
            async let one = schedule(first).runOnce(now: now)
            async let two = schedule(second).runOnce(now: now)
            let (byFirst, bySecond) = await (one, two)
            #expect(byFirst.made + bySecond.made == 6, "each store once: \(byFirst.made) + \(bySecond.made)")
            #expect(byFirst.failed + bySecond.failed == 0)
            for store in stores {
                let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(store.id).path)
                #expect(files.count == 1)
            }
            let jobs = PlatformJobs(database: first.services.platformDatabase)
            #expect(try await jobs.counts(BackupScheduleService.jobKind) == ["done": 6])
            let attempts = try await first.services.platformDatabase.read { sql in
                try await sql.raw("SELECT attempts FROM platform_jobs").all().map { try $0.decode(column: "attempts", as: Int.self) }
            }
            #expect(attempts == Array(repeating: 1, count: 6), "no job was taken twice")
            // Both wait for the same next run.
            let waits = try await [schedule(first).firstWait(now: now), schedule(second).firstWait(now: now)]
            #expect(waits == [.seconds(3600), .seconds(3600)])
        }
    }

    @Test(
        "a job whose instance died is taken up by another once its lease ends, and given up after three tries",
        arguments: TestPlatform.storages)
    func abandonedJobsAreTakenOver(storage: TestPlatform.Storage) async throws {
        try await withTwoInstances(storage) { first, _, second, _ in
            let now = Date()
            try await first.services.platformDatabase.write { sql in
                try await PlatformJobs.enqueue("backup", tenantIDs: ["ten_a", "ten_b"], now: now, on: sql)
            }
            let onFirst = PlatformJobs(database: first.services.platformDatabase)
            let onSecond = PlatformJobs(database: second.services.platformDatabase)
            // The first instance takes a job and dies with it; the second gets the other one only.
            let held = try #require(try await onFirst.claim("backup", lease: 60, now: now))
            let other = try #require(try await onSecond.claim("backup", lease: 60, now: now))
            #expect(held.id != other.id)
            try await onSecond.finish(other)
            #expect(try await onSecond.claim("backup", lease: 60, now: now) == nil, "a held job waits for its lease")
            // The lease ends: the second instance takes it over.
            let takenOver = try #require(try await onSecond.claim("backup", lease: 60, now: now.addingTimeInterval(61)))
            #expect(takenOver.id == held.id)
            #expect(takenOver.attempts == 2)
            // A job that keeps failing is given up after its third try.
            try await onSecond.finish(takenOver, error: "disk full")
            let third = try #require(try await onSecond.claim("backup", lease: 60, now: now.addingTimeInterval(122)))
            #expect(third.attempts == 3)
            #expect(try await onSecond.claim("backup", lease: 60, now: now.addingTimeInterval(183)) == nil)
            #expect(try await onSecond.counts("backup") == ["done": 1, "failed": 1])
        }
    }
}
