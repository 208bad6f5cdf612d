import Foundation
import LeopardStorage
import SQLKit
import Testing

/// Counts opens, to prove that concurrent first requests share one.
actor OpenCounter {
    private(set) var count = 0
    func increment() { count += 1 }
}

struct CountingProvider: TenantDatabaseProvider {
    let inner: SQLiteTenantProvider
    let counter = OpenCounter()
    var kind: DatabaseKind { inner.kind }
    func prepareTemplate(_ migrator: Migrator) async throws { try await inner.prepareTemplate(migrator) }
    func plan(tenantID: String) throws -> TenantDatabaseLocation { try inner.plan(tenantID: tenantID) }
    func create(_ location: TenantDatabaseLocation, migrator: Migrator) async throws { try await inner.create(location, migrator: migrator) }
    func open(_ location: TenantDatabaseLocation) async throws -> any DatabaseHandle {
        await counter.increment()
        return try await inner.open(location)
    }
    func drop(_ location: TenantDatabaseLocation) async throws { try await inner.drop(location) }
    func exists(_ location: TenantDatabaseLocation) async throws -> Bool { try await inner.exists(location) }
}

@Suite("Tenant connection manager")
struct TenantDatabasesTests {
    static let schema = Migrator([Migration("0001_items", ["CREATE TABLE items (id INTEGER PRIMARY KEY)"])])

    /// Makes `count` store databases and a manager over them.
    func fixture(
        _ directory: TemporaryDirectory, count: Int, capacity: Int, migrator: Migrator = schema
    ) async throws -> (TenantDatabases, CountingProvider, [(String, TenantDatabaseLocation)]) {
        let provider = CountingProvider(inner: SQLiteTenantProvider(directory: directory.url.appendingPathComponent("tenants"), readerCount: 1))
        try await provider.prepareTemplate(Self.schema)
        var stores: [(String, TenantDatabaseLocation)] = []
        for index in 0..<count {
            let id = "ten_test\(index)"
            let location = try provider.plan(tenantID: id)
            try await provider.create(location, migrator: Self.schema)
            stores.append((id, location))
        }
        return (TenantDatabases(provider: provider, migrator: migrator, capacity: capacity), provider, stores)
    }

    @Test("concurrent first requests share one open")
    func singleOpen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (databases, provider, stores) = try await fixture(directory, count: 1, capacity: 4)
        let (id, location) = stores[0]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await databases.withDatabase(tenantID: id, location: location) { db in
                        _ = try await db.read { try await $0.raw("SELECT COUNT(*) AS n FROM items").first() }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await provider.counter.count == 1)
        let stats = await databases.stats()
        #expect(stats.misses == 1)
        #expect(stats.hits == 49)
        #expect(stats.open == 1)
        #expect(stats.inUse == 0)
        await databases.closeAll()
    }

    @Test("at capacity the least recently used idle store is closed")
    func lruEviction() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (databases, provider, stores) = try await fixture(directory, count: 3, capacity: 2)
        func touch(_ index: Int) async throws {
            try await databases.withDatabase(tenantID: stores[index].0, location: stores[index].1) { _ in }
        }
        try await touch(0)
        try await touch(1)
        try await touch(0)
        try await touch(2)  // evicts 1, used longest ago
        #expect(await databases.isOpen(tenantID: stores[0].0))
        #expect(await !databases.isOpen(tenantID: stores[1].0))
        #expect(await databases.isOpen(tenantID: stores[2].0))
        try await touch(1)  // evicts 0
        #expect(await !databases.isOpen(tenantID: stores[0].0))
        let stats = await databases.stats()
        #expect(stats.evictions == 2)
        #expect(stats.open == 2)
        #expect(await provider.counter.count == 4)
        await databases.closeAll()
    }

    @Test("a store in use is never evicted; a newcomer waits for a release")
    func busyStoresStay() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (databases, _, stores) = try await fixture(directory, count: 2, capacity: 1)
        let (entered, enteredContinuation) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await databases.withDatabase(tenantID: stores[0].0, location: stores[0].1) { db in
                enteredContinuation.yield()
                for await _ in release { break }
                // Still usable: it was not closed under us.
                _ = try await db.read { try await $0.raw("SELECT 1 AS one").first() }
            }
        }
        for await _ in entered { break }
        let newcomer = Task {
            try await databases.withDatabase(tenantID: stores[1].0, location: stores[1].1) { _ in }
        }
        #expect(await databases.isOpen(tenantID: stores[0].0))
        releaseContinuation.yield()
        try await holder.value
        try await newcomer.value
        #expect(await databases.isOpen(tenantID: stores[1].0))
        #expect(await databases.stats().evictions == 1)
        await databases.closeAll()
    }

    @Test("closing a store in use waits for its requests, and new requests wait for the close")
    func closeWaitsForRequests() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (databases, provider, stores) = try await fixture(directory, count: 1, capacity: 2)
        let (id, location) = stores[0]
        let (entered, enteredContinuation) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await databases.withDatabase(tenantID: id, location: location) { db in
                enteredContinuation.yield()
                for await _ in release { break }
                // The close was asked for meanwhile; this request still has a working handle.
                _ = try await db.read { try await $0.raw("SELECT COUNT(*) AS n FROM items").first() }
            }
        }
        for await _ in entered { break }
        let closer = Task { await databases.close(tenantID: id) }
        try await waitUntil("the handle to be retiring") { await databases.isRetiring(tenantID: id) }
        let newcomer = Task {
            try await databases.withDatabase(tenantID: id, location: location) { db in
                try await db.read { try await $0.raw("SELECT COUNT(*) AS n FROM items").first() != nil }
            }
        }
        releaseContinuation.yield()
        try await holder.value
        await closer.value
        #expect(try await newcomer.value)
        // The newcomer got a fresh handle: the retired one was closed, not handed out.
        #expect(await provider.counter.count == 2)
        await databases.closeAll()
    }

    @Test("a store database that is behind is migrated when opened")
    func migratesOnOpen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let newer = Migrator(Self.schema.migrations + [Migration("0002_notes", ["CREATE TABLE notes (body TEXT)"])])
        let (databases, _, stores) = try await fixture(directory, count: 1, capacity: 2, migrator: newer)
        let applied = try await databases.withDatabase(tenantID: stores[0].0, location: stores[0].1) { db in
            try await newer.applied(on: db)
        }
        #expect(applied == ["0001_items", "0002_notes"])
        await databases.closeAll()
    }

    @Test("a missing store database fails to open, is not created, and frees its slot")
    func missingDatabase() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (databases, provider, _) = try await fixture(directory, count: 0, capacity: 2)
        let ghost = try provider.plan(tenantID: "ten_ghost")
        await #expect(throws: TenantDatabaseMissing.self) {
            try await databases.withDatabase(tenantID: "ten_ghost", location: ghost) { _ in }
        }
        #expect(try await provider.exists(ghost) == false)
        #expect(await databases.stats().open == 0)
    }

    @Test(
        "store file names that are not plain ids are refused, and nothing outside is touched",
        arguments: ["../sentinel.sqlite", "/tmp/x.sqlite", "a/b.sqlite", "ten_x.sqlite.bak", ".template.sqlite"])
    func unsafeNames(_ name: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let provider = SQLiteTenantProvider(directory: directory.url.appendingPathComponent("tenants"))
        try await provider.prepareTemplate(Self.schema)
        let sentinel = directory.url.appendingPathComponent("sentinel.sqlite")
        try Data("keep".utf8).write(to: sentinel)
        let location = TenantDatabaseLocation(kind: .sqlite, name: name)
        await #expect(throws: TenantDatabaseMissing.self) { try await provider.drop(location) }
        await #expect(throws: TenantDatabaseMissing.self) { _ = try await provider.open(location) }
        #expect(FileManager.default.fileExists(atPath: sentinel.path))
    }

    @Test("a spare held open is taken over by its store's first request, with its write-ahead log already started")
    func warmSpare() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (databases, provider, stores) = try await fixture(directory, count: 2, capacity: 4)
        let (id, location) = stores[0]
        let path = try provider.inner.path(for: location)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        try await databases.warm(spare: location)
        try await databases.warm(spare: location)  // already open: nothing happens
        #expect(await provider.counter.count == 1)
        #expect(await databases.warmSpareCount == 1)
        #expect(await databases.stats().open == 0, "a spare is not a store and takes no place under the cap")
        let walSize = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int
        #expect((walSize ?? 0) > 0, "the log was started ahead of the first write (opening leaves it empty)")

        try await databases.withDatabase(tenantID: id, location: location) { db in
            try await db.write { try await $0.raw("INSERT INTO items (id) VALUES (1)").run() }
            let version = try await db.read { try await $0.raw("PRAGMA user_version").first()?.decode(column: "user_version", as: Int.self) }
            #expect(version == 0, "starting the log changed nothing")
        }
        #expect(await provider.counter.count == 1, "the store used the spare's handle; nothing else was opened")
        #expect(await databases.warmSpareCount == 0)
        #expect(await databases.isOpen(tenantID: id))

        // A spare that is open under a store is not opened again.
        try await databases.warm(spare: location)
        #expect(await provider.counter.count == 1)
        #expect(await databases.warmSpareCount == 0)
        await databases.closeAll()
    }

    @Test("spares held open are closed when discarded, claimed elsewhere or at shutdown, and a later request opens afresh")
    func discardSpares() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (databases, provider, stores) = try await fixture(directory, count: 3, capacity: 4)
        for (_, location) in stores { try await databases.warm(spare: location) }
        #expect(await databases.warmSpareCount == 3)
        await databases.discardSpare(stores[0].1)
        #expect(await databases.warmSpareCount == 2)
        await databases.discardSpares(notIn: [stores[1].1.name])
        #expect(await databases.warmSpareCount == 1)
        let (id, location) = stores[0]
        try await databases.withDatabase(tenantID: id, location: location) { _ in }
        #expect(await provider.counter.count == 4, "the discarded spare was opened again")
        await databases.closeAll()
        #expect(await databases.warmSpareCount == 0)
    }
}
