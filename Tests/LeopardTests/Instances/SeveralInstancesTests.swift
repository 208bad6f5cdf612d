import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardCommerce
import LeopardPlatform
@testable import LeopardServer
import LeopardStorage
import Logging
import SQLKit
import Testing

/// Two `leopard serve` instances on one platform database (and the same store databases), as
/// behind a load balancer: the second is a second `LeopardServices` on the first's data
/// directory and database URL, as a second process would be.
@Suite("Several instances on one platform database")
struct SeveralInstancesTests {
    /// Runs `body` with both instances' clients; the second shares the first's data.
    func withTwoInstances(_ storage: TestPlatform.Storage,
                          _ body: @Sendable (TestPlatform, any TestClientProtocol, TestPlatform, any TestClientProtocol) async throws -> Void) async throws {
        try await TestPlatform.withPlatform(storage) { first, firstClient in
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

    @Test("a store suspended through one instance is refused by the other within a second, and served again once activated",
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

    @Test("1,000 queued webhook deliveries are sent exactly once by two instances' workers running at the same time",
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
}
