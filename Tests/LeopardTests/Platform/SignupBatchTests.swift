import Foundation
import LeopardCore
import LeopardServer
import LeopardStorage
import SQLKit
import Testing

@testable import LeopardPlatform

/// Lets a batch handler wait until the test opens it.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }
}

/// The batch sizes a handler saw, in order.
actor BatchLog {
    private(set) var sizes: [Int] = []
    func record(_ size: Int) { sizes.append(size) }
}

@Suite("Signups that arrive together share platform writes")
struct SignupBatchTests {
    @Test("requests that arrive while a batch is handled go together in the next one, each with its own answer")
    func batching() async throws {
        let gate = Gate()
        let log = BatchLog()
        let batcher = RequestBatcher<Int, Int> { inputs in
            await log.record(inputs.count)
            if inputs == [0] { await gate.wait() }
            return inputs.map { .success($0 * 10) }
        }
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            group.addTask { (0, try await batcher.submit(0)) }
            try await waitUntil("the first batch") { await !log.sizes.isEmpty }
            for input in 1...5 { group.addTask { (input, try await batcher.submit(input)) } }
            try await waitUntil("five waiting requests") { await batcher.waiting >= 5 }
            await gate.open()
            for try await (input, output) in group { #expect(output == input * 10) }
        }
        #expect(await log.sizes == [1, 5])
    }

    @Test("a request the handler leaves unanswered fails; the others in its batch get their answers")
    func unanswered() async throws {
        let gate = Gate()
        let log = BatchLog()
        let batcher = RequestBatcher<Int, Int> { inputs in
            await log.record(inputs.count)
            if inputs == [0] {
                await gate.wait()
                return [.success(0)]
            }
            return inputs.dropLast().map { .success($0) }
        }
        let zero = Task { try await batcher.submit(0) }
        try await waitUntil("the first batch") { await !log.sizes.isEmpty }
        let one = Task { try await batcher.submit(1) }
        try await waitUntil("one waiting request") { await batcher.waiting >= 1 }
        let two = Task { try await batcher.submit(2) }
        try await waitUntil("two waiting requests") { await batcher.waiting >= 2 }
        await gate.open()
        #expect(try await zero.value == 0)
        #expect(try await one.value == 1)
        await #expect(throws: BatchAnswerMissing.self) { try await two.value }
        #expect(await log.sizes == [1, 2])
    }

    func tenant(_ slug: String, location: TenantDatabaseLocation) -> Tenant {
        let id = Identifier.make("ten")
        return Tenant(
            id: id, slug: slug, storeName: slug, ownerEmail: "owner@\(slug).test", status: .provisioning, database: location, createdAt: Date(),
            updatedAt: Date())
    }

    @Test(
        "a batch of registry rows claims a spare for each; a taken slug fails alone and its spare goes back to the pool",
        arguments: TestPlatform.storages)
    func reserveBatch(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage, configure: { $0.spareStores = 3 }) { platform, client in
            let services = platform.services
            let pool = services.sparePool
            await pool.fill()
            await pool.stop()  // no refill: the pool's contents are the test's
            #expect(try await client.signup(storeName: "Taken Shop").status == .created)
            #expect(try await pool.count() == 2)

            let provider = services.databases.provider
            let rows = try ["taken-shop", "fresh-one", "fresh-one", "fresh-two"].map {
                tenant($0, location: try provider.plan(tenantID: Identifier.make("ten")))
            }
            let results = await SparePool.reserveBatch(
                rows, claimSpares: true, platform: services.platformDatabase, kind: provider.kind,
                fingerprint: services.databases.migrator.fingerprint)
            #expect(results.count == 4)
            // The two spares went to the first two rows; the first row's slug is taken.
            #expect(throws: TenantRegistry.SlugTaken.self) { try results[0].get() }
            let claimed = try #require(try results[1].get(), "the second row got a spare")
            #expect(throws: TenantRegistry.SlugTaken.self) { try results[2].get() }
            #expect(try results[3].get() == nil, "no spare for the fourth: the row names its own database")

            #expect(try await pool.count() == 1, "the refused row's spare is back in the pool")
            let fresh = try #require(try await services.registry.find(slug: "fresh-one"))
            #expect(fresh.id == rows[1].id && fresh.database == claimed && fresh.status == .provisioning)
            #expect(try await services.registry.find(slug: "fresh-two")?.database == rows[3].database)
            #expect(try await services.registry.count() == 3)
        }
    }

    @Test("a batch of activations activates the stores still being provisioned and logs them; one that changed meanwhile fails alone")
    func activateBatch() async throws {
        try await TestPlatform.withPlatform(configure: { $0.spareStores = 0 }) { platform, _ in
            let services = platform.services
            let provider = services.databases.provider
            let rows = try ["batch-one", "batch-two", "batch-three"].map { tenant($0, location: try provider.plan(tenantID: Identifier.make("ten"))) }
            for row in rows { try await services.registry.reserve(row) }
            _ = try await services.registry.transition(id: rows[1].id, from: [.provisioning], to: .deleted)

            let started = ContinuousClock.now
            let activations = rows.map { row in
                TenantProvisioner.Activation(tenantID: row.id) { now in
                    ProvisioningAttempt(
                        id: Identifier.make("prv"), tenantID: row.id, slug: row.slug, succeeded: true, failedStep: nil, error: nil,
                        steps: [], totalMicroseconds: (now - started).microseconds, startedAt: row.createdAt)
                }
            }
            let results = await TenantProvisioner.activate(activations, platform: services.platformDatabase)
            #expect(try results[0].get().0.status == .active)
            #expect(throws: RowChanged.self) { try results[1].get() }
            #expect(try results[2].get().0.status == .active)
            #expect(try await services.registry.find(id: rows[1].id)?.status == .deleted, "left as it was")
            let logged = try await services.provisioningLog.recent(limit: 10)
            #expect(Set(logged.map(\.tenantID)) == [rows[0].id, rows[2].id])
        }
    }
}
