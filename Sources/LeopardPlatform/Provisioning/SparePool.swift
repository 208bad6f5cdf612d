import Foundation
import LeopardCore
import LeopardStorage
import Logging
import SQLKit

/// The warm pool: store databases made ahead of signups (a file copied from the template on
/// SQLite; a database and its role on PostgreSQL), so that a signup claims one with a single
/// platform write instead of creating it. PostgreSQL creates databases one after another, so a
/// burst of signups without spares waits in line for `CREATE DATABASE`.
///
/// Spares are listed in the platform's `spare_databases`; a claim deletes the row and points the
/// new store's registry row at the database in one transaction, so a spare is always either in
/// the pool or named by exactly one registry row. Spares made from an older template are dropped.
public actor SparePool {
    public let target: Int
    let platform: any DatabaseHandle
    let provider: any TenantDatabaseProvider
    let migrator: Migrator
    /// Where spares are held open, and how many: on SQLite a signup then starts on an open,
    /// migrated handle. (On PostgreSQL each would hold a server connection, so none are.)
    let databases: TenantDatabases?
    let keepOpen: Int
    /// Signups' registry rows, written in batches.
    let reservations: RequestBatcher<Tenant, TenantDatabaseLocation?>
    let logger: Logger
    private var filling: Task<Void, Never>?
    private var stopped = false
    private var lastClaim = ContinuousClock.now
    /// Refilling waits for signups to pause this long, so that it does not compete with a burst
    /// (on PostgreSQL, `CREATE DATABASE` would queue with the signups' own work).
    static let quietPeriod: Duration = .seconds(1)

    public init(
        target: Int, platform: any DatabaseHandle, provider: any TenantDatabaseProvider, migrator: Migrator,
        databases: TenantDatabases? = nil, keepOpen: Int = 0, logger: Logger
    ) {
        self.target = max(0, target)
        self.databases = databases
        self.keepOpen = databases == nil ? 0 : max(0, keepOpen)
        let claimSpares = target > 0
        let kind = provider.kind
        let fingerprint = migrator.fingerprint
        self.reservations = RequestBatcher { tenants in
            await Self.reserveBatch(tenants, claimSpares: claimSpares, platform: platform, kind: kind, fingerprint: fingerprint)
        }
        self.platform = platform
        self.provider = provider
        self.migrator = migrator
        self.logger = logger
    }

    var storage: String { provider.kind.rawValue }

    /// Reserves the new store's slug and claims a spare for it in one platform write: the
    /// registry row is inserted already pointing at the spare. Returns where the store's
    /// database now is, or nil when the pool was empty (the row then names `tenant.database`,
    /// which the caller creates). A taken slug throws `TenantRegistry.SlugTaken` and leaves the
    /// spare in the pool. Signups that arrive together share the write (`reserveBatch`).
    public nonisolated func reserve(_ tenant: Tenant) async throws -> TenantDatabaseLocation? {
        let location = try await reservations.submit(tenant)
        if location != nil { await claimed() }
        return location
    }

    /// One platform write for a batch of signups: one statement claims a spare for each (as
    /// many as there are), one inserts their registry rows. A row whose slug is taken is left
    /// out and its spare goes back to the pool; the others go ahead.
    static func reserveBatch(
        _ tenants: [Tenant], claimSpares: Bool, platform: any DatabaseHandle, kind: DatabaseKind,
        fingerprint: String
    ) async -> [Result<TenantDatabaseLocation?, any Error>] {
        let skipLocked: SQLQueryString = platform.kind == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let storage = kind.rawValue
        do {
            return try await platform.write { sql -> [Result<TenantDatabaseLocation?, any Error>] in
                var spares: [(location: TenantDatabaseLocation, createdAt: String)] = []
                if claimSpares {
                    spares = try await sql.raw(
                        """
                        DELETE FROM spare_databases WHERE name IN (
                            SELECT name FROM spare_databases WHERE storage = \(bind: storage) AND fingerprint = \(bind: fingerprint)
                            ORDER BY created_at, name LIMIT \(bind: tenants.count)\(skipLocked)
                        ) RETURNING name, role, sealed_password, created_at
                        """
                    ).all().map { (try Self.location($0, kind: kind), try $0.decode(column: "created_at", as: String.self)) }
                }
                var rows = tenants
                for index in rows.indices where index < spares.count { rows[index].database = spares[index].location }
                let inserted = try await TenantRegistry.insert(rows, skippingTakenSlugs: sql)
                let unused: [SQLQueryString] = rows.indices.filter { $0 < spares.count && !inserted.contains(rows[$0].id) }.map { index in
                    let spare = spares[index]
                    return
                        "(\(bind: spare.location.name), \(bind: storage), \(bind: spare.location.role), \(bind: spare.location.sealedPassword), \(bind: fingerprint), \(bind: spare.createdAt))"
                }
                if !unused.isEmpty {
                    try await sql.raw(
                        "INSERT INTO spare_databases (name, storage, role, sealed_password, fingerprint, created_at) VALUES \(unused.joined(separator: ", "))"
                    ).run()
                }
                return rows.indices.map { index in
                    guard inserted.contains(rows[index].id) else { return .failure(TenantRegistry.SlugTaken(slug: rows[index].slug)) }
                    return .success(index < spares.count ? spares[index].location : nil)
                }
            }
        } catch {
            return tenants.map { _ in .failure(error) }
        }
    }

    /// How many spares are ready.
    public nonisolated func count() async throws -> Int {
        let storage = provider.kind.rawValue
        let fingerprint = migrator.fingerprint
        return try await platform.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM spare_databases WHERE storage = \(bind: storage) AND fingerprint = \(bind: fingerprint)").first()?
                .decode(column: "n", as: Int.self) ?? 0
        }
    }

    private func claimed() {
        lastClaim = ContinuousClock.now
        refill(after: Self.quietPeriod)
    }

    /// Starts topping the pool up in the background (once signups have paused for `quiet`),
    /// unless that is already under way.
    public func refill(after quiet: Duration = .zero) {
        guard target > 0, filling == nil, !stopped else { return }
        filling = Task {
            while quiet > .zero, !Task.isCancelled {
                let wait = self.lastClaim + quiet - ContinuousClock.now
                if wait <= .zero || self.stopped { break }
                try? await Task.sleep(for: wait)
            }
            await self.fillNow()
            self.filling = nil
        }
    }

    /// Tops the pool up to its target and returns when it is (or when making one failed).
    public func fill() async {
        // One fill at a time: two would make spares past the target and could close each
        // other's spares held open (a spare still `building` is not listed).
        while let filling { await filling.value }
        guard !stopped else { return }
        let task = Task { await self.fillNow() }
        filling = task
        await task.value
        if filling == task { filling = nil }
    }

    /// Lets a fill under way finish and starts no other (the databases are about to close).
    public func stop() async {
        stopped = true
        if let filling { await filling.value }
    }

    private func fillNow() async {
        guard target > 0 else { return }
        do {
            try await dropStale()
            let listed = try await readySpares()
            var ready = listed.count
            if let databases {
                await databases.discardSpares(notIn: Set(listed.map(\.name)))
                for location in listed where await databases.warmSpareCount < keepOpen {
                    if stopped { return }
                    await warm(location)
                }
            }
            while ready < target, !stopped {
                guard try await makeOne() else { break }  // another instance filled the pool meanwhile
                ready += 1
            }
            // A spare listed above may have been claimed while this fill opened others (by
            // another instance, or here by a store since closed): hold open only those still
            // in the pool.
            if let databases { await databases.discardSpares(notIn: Set(try await readySpares().map(\.name))) }
        } catch {
            logger.error("the warm pool of store databases could not be filled", metadata: ["error": .string(DatabaseErrors.summary(error))])
        }
    }

    /// Serializes the pool's "count, then list one more" across instances on PostgreSQL.
    static let fillLock: Int64 = 0x4C50_5350_4152_4531  // "LPSPARE1"

    /// Creates one spare: planned, listed, then created, so that a crash in between leaves a
    /// row the next fill finds and drops (its fingerprint is `building`). Returns false, making
    /// nothing, when the pool already holds its target counting spares being made: instances
    /// that fill together (a rolling start) share one target, they do not each make it.
    private func makeOne(now: Date = Date()) async throws -> Bool {
        let location = try provider.plan(tenantID: Identifier.make("spare", date: now))
        let storage = self.storage
        let fingerprint = migrator.fingerprint
        let abandoned = now.addingTimeInterval(-600).stamp
        let target = self.target
        let postgres = platform.kind == .postgres
        let listed = try await platform.write { sql -> Bool in
            if postgres { try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: Self.fillLock))").run() }
            return try await sql.raw(
                """
                INSERT INTO spare_databases (name, storage, role, sealed_password, fingerprint, created_at)
                SELECT CAST(\(bind: location.name) AS TEXT), CAST(\(bind: storage) AS TEXT), CAST(\(bind: location.role) AS TEXT),
                    CAST(\(bind: location.sealedPassword) AS TEXT), 'building', CAST(\(bind: now.stamp) AS TEXT)
                WHERE (
                    SELECT COUNT(*) FROM spare_databases
                    WHERE storage = \(bind: storage) AND (fingerprint = \(bind: fingerprint) OR (fingerprint = 'building' AND created_at >= \(bind: abandoned)))
                ) < \(bind: target)
                RETURNING name
                """
            ).first() != nil
        }
        guard listed else { return false }
        do {
            try await provider.create(location, migrator: migrator)
            // Opened before the row says ready, so no signup can claim it while it opens.
            if let databases, await databases.warmSpareCount < keepOpen {
                await warm(location)
            } else if provider.kind == .postgres {
                await connectOnce(location)
            }
        } catch {
            try? await platform.write { sql in try await sql.raw("DELETE FROM spare_databases WHERE name = \(bind: location.name)").run() }
            throw error
        }
        try await platform.write { sql in
            try await sql.raw("UPDATE spare_databases SET fingerprint = \(bind: fingerprint) WHERE name = \(bind: location.name)").run()
        }
        return true
    }

    /// The spares ready to claim.
    private func readySpares() async throws -> [TenantDatabaseLocation] {
        let storage = self.storage
        let fingerprint = migrator.fingerprint
        let kind = provider.kind
        return try await platform.read { sql in
            try await sql.raw(
                "SELECT name, role, sealed_password FROM spare_databases WHERE storage = \(bind: storage) AND fingerprint = \(bind: fingerprint) ORDER BY created_at, name"
            )
            .all().map { try Self.location($0, kind: kind) }
        }
    }

    static func location(_ row: any SQLRow, kind: DatabaseKind) throws -> TenantDatabaseLocation {
        TenantDatabaseLocation(
            kind: kind, name: try row.decode(column: "name", as: String.self), role: try row.decode(column: "role", as: String?.self),
            sealedPassword: try row.decode(column: "sealed_password", as: String?.self))
    }

    /// Holds a spare open; a spare that cannot be opened stays in the pool (its signup will
    /// report the error), and the pool goes on.
    private func warm(_ location: TenantDatabaseLocation) async {
        do {
            try await databases?.warm(spare: location)
        } catch {
            logger.warning(
                "could not open a spare store database ahead of time",
                metadata: ["database": .string(location.name), "error": .string(DatabaseErrors.summary(error))])
        }
    }

    /// Connects to a new PostgreSQL spare once and lets go. A new database's first connection
    /// builds the server's catalog cache file for it (`pg_internal.init`), which later
    /// connections read: made now, it is not part of the signup's first connection. Measured:
    /// a first connection to a new clone costs about 3 ms more server CPU than later ones, which
    /// a burst of 100 signups paid all at once on two cores.
    private func connectOnce(_ location: TenantDatabaseLocation) async {
        do {
            let handle = try await provider.openJustCreated(location)
            do {
                _ = try await migrator.migrate(handle)
            } catch {
                await handle.close()
                throw error
            }
            await handle.close()
        } catch {
            logger.warning(
                "could not connect to a new spare store database",
                metadata: ["database": .string(location.name), "error": .string(DatabaseErrors.summary(error))])
        }
    }

    /// Drops spares made from another template (an upgrade) and ones left half made (ten
    /// minutes old: another instance may be making one right now).
    private func dropStale(now: Date = Date()) async throws {
        let storage = self.storage
        let fingerprint = migrator.fingerprint
        let kind = provider.kind
        let abandoned = now.addingTimeInterval(-600).stamp
        let listed = try await readySpares()
        // Spares this platform cannot use (sealed with another platform key) go too.
        let unusable = listed.filter { !provider.canUse($0) }
        let stale = try await platform.read { sql in
            try await sql.raw(
                """
                SELECT name, role, sealed_password FROM spare_databases
                WHERE storage = \(bind: storage) AND fingerprint <> \(bind: fingerprint) AND (fingerprint <> 'building' OR created_at < \(bind: abandoned))
                """
            ).all().map { try Self.location($0, kind: kind) }
        }
        for location in stale + unusable {
            // The row goes first: only the one who deleted it drops the database, so a spare that
            // another instance claimed meanwhile is never dropped under its new store.
            let mine = try await platform.write { sql in
                try await sql.raw("DELETE FROM spare_databases WHERE name = \(bind: location.name) RETURNING name").first() != nil
            }
            if mine {
                await databases?.discardSpare(location)
                try await provider.drop(location)
            }
        }
    }
}
