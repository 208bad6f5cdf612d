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
    let logger: Logger
    private var filling: Task<Void, Never>?
    private var stopped = false
    private var lastClaim = ContinuousClock.now
    /// Refilling waits for signups to pause this long, so that it does not compete with a burst
    /// (on PostgreSQL, `CREATE DATABASE` would queue with the signups' own work).
    static let quietPeriod: Duration = .seconds(1)

    public init(target: Int, platform: any DatabaseHandle, provider: any TenantDatabaseProvider, migrator: Migrator, logger: Logger) {
        self.target = max(0, target)
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
    /// spare in the pool.
    public nonisolated func reserve(_ tenant: Tenant) async throws -> TenantDatabaseLocation? {
        guard target > 0 else {
            try await TenantRegistry(database: platform).reserve(tenant)
            return nil
        }
        let skipLocked: SQLQueryString = platform.kind == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let kind = provider.kind, storage = kind.rawValue, fingerprint = migrator.fingerprint
        let location: TenantDatabaseLocation?
        do {
            location = try await platform.write { sql -> TenantDatabaseLocation? in
                let claimed = try await sql.raw("""
                    DELETE FROM spare_databases WHERE name = (
                        SELECT name FROM spare_databases WHERE storage = \(bind: storage) AND fingerprint = \(bind: fingerprint)
                        ORDER BY created_at, name LIMIT 1\(skipLocked)
                    ) RETURNING name, role, sealed_password
                    """).first().map { row in
                    TenantDatabaseLocation(kind: kind, name: try row.decode(column: "name", as: String.self),
                                           role: try row.decode(column: "role", as: String?.self),
                                           sealedPassword: try row.decode(column: "sealed_password", as: String?.self))
                }
                var row = tenant
                if let claimed { row.database = claimed }
                try await TenantRegistry.insert(row, sql)
                return claimed
            }
        } catch where DatabaseErrors.isUniqueViolation(error) {
            throw TenantRegistry.SlugTaken(slug: tenant.slug)
        }
        if location != nil { await claimed() }
        return location
    }

    /// How many spares are ready.
    public nonisolated func count() async throws -> Int {
        let storage = provider.kind.rawValue, fingerprint = migrator.fingerprint
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
        if let filling { await filling.value }
        guard !stopped else { return }
        await fillNow()
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
            var ready = try await count()
            while ready < target, !stopped {
                try await makeOne()
                ready += 1
            }
        } catch {
            logger.error("the warm pool of store databases could not be filled", metadata: ["error": .string(DatabaseErrors.summary(error))])
        }
    }

    /// Creates one spare: planned, listed, then created, so that a crash in between leaves a
    /// row the next fill finds and drops (its fingerprint is `building`).
    private func makeOne(now: Date = Date()) async throws {
        let location = try provider.plan(tenantID: Identifier.make("spare", date: now))
        let storage = self.storage, fingerprint = migrator.fingerprint
        try await platform.write { sql in
            try await sql.raw("""
                INSERT INTO spare_databases (name, storage, role, sealed_password, fingerprint, created_at)
                VALUES (\(bind: location.name), \(bind: storage), \(bind: location.role), \(bind: location.sealedPassword), 'building', \(bind: now.stamp))
                """).run()
        }
        do {
            try await provider.create(location, migrator: migrator)
        } catch {
            try? await platform.write { sql in try await sql.raw("DELETE FROM spare_databases WHERE name = \(bind: location.name)").run() }
            throw error
        }
        try await platform.write { sql in
            try await sql.raw("UPDATE spare_databases SET fingerprint = \(bind: fingerprint) WHERE name = \(bind: location.name)").run()
        }
    }

    /// Drops spares made from another template (an upgrade) and ones left half made (ten
    /// minutes old: another instance may be making one right now).
    private func dropStale(now: Date = Date()) async throws {
        let storage = self.storage, fingerprint = migrator.fingerprint, kind = provider.kind
        let abandoned = now.addingTimeInterval(-600).stamp
        let listed = try await platform.read { sql in
            try await sql.raw("SELECT name, role, sealed_password FROM spare_databases WHERE storage = \(bind: storage) AND fingerprint = \(bind: fingerprint)").all().map { row in
                TenantDatabaseLocation(kind: kind, name: try row.decode(column: "name", as: String.self), role: try row.decode(column: "role", as: String?.self),
                                       sealedPassword: try row.decode(column: "sealed_password", as: String?.self))
            }
        }
        // Spares this platform cannot use (sealed with another platform key) go too.
        let unusable = listed.filter { !provider.canUse($0) }
        let stale = try await platform.read { sql in
            try await sql.raw("""
                SELECT name, role, sealed_password FROM spare_databases
                WHERE storage = \(bind: storage) AND fingerprint <> \(bind: fingerprint) AND (fingerprint <> 'building' OR created_at < \(bind: abandoned))
                """).all().map { row in
                TenantDatabaseLocation(kind: kind, name: try row.decode(column: "name", as: String.self), role: try row.decode(column: "role", as: String?.self),
                                       sealedPassword: try row.decode(column: "sealed_password", as: String?.self))
            }
        }
        for location in stale + unusable {
            // The row goes first: only the one who deleted it drops the database, so a spare that
            // another instance claimed meanwhile is never dropped under its new store.
            let mine = try await platform.write { sql in
                try await sql.raw("DELETE FROM spare_databases WHERE name = \(bind: location.name) RETURNING name").first() != nil
            }
            if mine { try await provider.drop(location) }
        }
    }
}
