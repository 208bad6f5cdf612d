import Foundation
import HummingbirdTesting
import LeopardServer
import LeopardStorage
import SQLKit
import Testing

@testable import LeopardPlatform

@Suite("Warm pool of store databases")
struct SparePoolTests {
    /// The spares listed in the platform database.
    func spares(_ platform: TestPlatform) async throws -> Set<String> {
        Set(
            try await platform.services.platformDatabase.read { sql in
                try await sql.raw("SELECT name FROM spare_databases").all().map { try $0.decode(column: "name", as: String.self) }
            })
    }

    @Test("signups claim spares, the pool refills, and a store made from a spare works like any other", arguments: TestPlatform.storages)
    func claims(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage, configure: { $0.spareStores = 3 }) { platform, client in
            let pool = platform.services.sparePool
            await pool.fill()
            #expect(try await pool.count() == 3)
            let ready = try await spares(platform)

            let store = try await client.makeStore("Spare Shop")
            let tenant = try #require(try await platform.services.registry.find(id: store.id))
            #expect(ready.contains(tenant.database.name), "the store's database is one of the spares")
            #expect(try await !spares(platform).contains(tenant.database.name), "and it left the pool")
            let product = try await client.call(.post, "/api/products", store: store, json: ["title": "From a spare", "price": 100, "stock": 1])
            #expect(product.status == .created)

            // A burst larger than the pool: every signup succeeds, each with its own database.
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        try await client.signup(storeName: "Spare Crowd \(index)", email: "o\(index)@spare.test", password: nil).json["id"] as? String
                    }
                }
                return try await group.reduce(into: [String]()) { if let id = $1 { $0.append(id) } }
            }
            #expect(ids.count == 6)
            var names: Set<String> = [tenant.database.name]
            for id in ids { names.insert(try #require(try await platform.services.registry.find(id: id)).database.name) }
            #expect(names.count == 7)
            await pool.fill()
            #expect(try await pool.count() == 3)
            #expect(try await spares(platform).isDisjoint(with: names))
        }
    }

    @Test(
        "a signup that fails at any step after claiming a spare drops it; nothing is left behind and the slug is free",
        arguments: TestPlatform.storages, ProvisioningStep.allCases)
    func rollback(storage: TestPlatform.Storage, step: ProvisioningStep) async throws {
        let fault = OneShotFault(at: step)
        try await TestPlatform.withPlatform(
            storage,
            configure: {
                $0.spareStores = 2
                $0.provisioningFaults = fault.injector
            }
        ) { platform, client in
            let pool = platform.services.sparePool
            await pool.fill()
            let before = try await spares(platform)
            let failed = try await client.signup(storeName: "Doomed Spare Shop")
            #expect(failed.status == .serviceUnavailable)
            #expect(try await platform.services.registry.count() == 0)
            let attempt = try #require(try await platform.services.provisioningLog.recent(limit: 1).first)
            #expect(attempt.failedStep == step)
            let provider = platform.services.databases.provider
            func location(_ name: String) -> TenantDatabaseLocation {
                TenantDatabaseLocation(kind: provider.kind, name: name, role: storage == .postgres ? name : nil)
            }
            // Before the next fill, which would close it anyway: the dropped spare is not held open.
            for name in before.subtracting(try await spares(platform)) {
                #expect(await !platform.services.databases.isWarmSpare(location(name)), "the dropped spare was closed")
            }
            await pool.fill()
            let claimed = before.subtracting(try await spares(platform))
            #expect(claimed.count == 1)
            for name in claimed {
                #expect(try await !provider.exists(location(name)), "the claimed spare was dropped")
            }
            #expect(try await client.signup(storeName: "Doomed Spare Shop").status == .created)
        }
    }

    @Test("a signup whose slug is taken leaves the spare it would have claimed in the pool", arguments: TestPlatform.storages)
    func slugTaken(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage, configure: { $0.spareStores = 2 }) { platform, client in
            let pool = platform.services.sparePool
            await pool.fill()
            await pool.stop()  // no refill after the first claim: the pool's contents are the test's
            #expect(try await client.signup(storeName: "Taken Spare Shop").status == .created)
            let ready = try await spares(platform)
            #expect(ready.count == 1)
            let again = try await client.signup(storeName: "Taken Spare Shop")
            #expect(again.status == .conflict)
            #expect(try await spares(platform) == ready, "the refused signup claimed nothing")
            #expect(try await platform.services.registry.count() == 1)
        }
    }

    @Test(
        "on SQLite spares wait open, so a new store starts on an open handle; on PostgreSQL they hold no connections",
        arguments: TestPlatform.storages)
    func sparesWaitOpen(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage, configure: { $0.spareStores = 2 }) { platform, client in
            let pool = platform.services.sparePool
            let databases = platform.services.databases
            await pool.fill()
            await pool.stop()
            #expect(await databases.warmSpareCount == (storage == .sqlite ? 2 : 0))
            let store = try await client.makeStore("Open Spare Shop")
            #expect(await databases.warmSpareCount == (storage == .sqlite ? 1 : 0))
            #expect(await databases.isOpen(tenantID: store.id))
        }
    }

    @Test("two instances filling the pool together make its target, not twice it", arguments: TestPlatform.storages)
    func sharedTarget(storage: TestPlatform.Storage) async throws {
        // The platform's own pool stays empty (tests configure none); two more share its database.
        try await TestPlatform.withPlatform(storage) { platform, _ in
            let pool = platform.services.sparePool
            // A second instance's pool: the same platform database and template, its own actor.
            let first = await SparePool(target: 4, platform: pool.platform, provider: pool.provider, migrator: pool.migrator, logger: pool.logger)
            let second = await SparePool(target: 4, platform: pool.platform, provider: pool.provider, migrator: pool.migrator, logger: pool.logger)
            await withDiscardingTaskGroup { group in
                group.addTask { await first.fill() }
                group.addTask { await second.fill() }
            }
            let rows = try await spares(platform).count
            let ready = try await first.count()
            #expect(rows == 4, "every row, spares being made included")
            #expect(ready == 4)
            await first.stop()
            await second.stop()
        }
    }
}
