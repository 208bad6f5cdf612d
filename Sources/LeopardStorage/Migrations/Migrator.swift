import Crypto
import Foundation
import LeopardCore
import SQLKit

/// Applies migrations in order, each in its own transaction, and records them in
/// `leopard_migrations`. Safe to run from two processes at once: every migration re-checks the
/// record inside its transaction, which holds the write lock (SQLite `BEGIN IMMEDIATE`) or an
/// advisory lock (PostgreSQL).
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(_ migrations: [Migration]) {
        precondition(Set(migrations.map(\.id)).count == migrations.count, "migration ids must be unique")
        precondition(migrations.map(\.id) == migrations.map(\.id).sorted(), "migrations must be listed in id order")
        self.migrations = migrations
    }

    /// Identifies this exact list of migrations (used to name template databases).
    public var fingerprint: String {
        let digest = SHA256.hash(data: Data(migrations.map(\.id).joined(separator: "\n").utf8))
        return Hex.encode(digest.prefix(6))
    }

    static let lockKey = 0x4C_45_4F_50  // "LEOP"

    /// The ids of the migrations already applied.
    public func applied(on database: any DatabaseHandle) async throws -> Set<String> {
        // Look first: on every open of an up-to-date store this is the only query. Only a
        // database without the table pays for creating it. On SQLite the question goes to the
        // writer connection, which is open already (readers open lazily, and a new store's
        // signup then needs one connection, not two); a batch with no change costs no sync.
        let list: @Sendable (any SQLDatabase) async throws -> [any SQLRow] = { sql in try await sql.raw("SELECT id FROM leopard_migrations").all() }
        func look() async throws -> [any SQLRow] {
            database.kind == .sqlite ? try await database.write(list) : try await database.read(list)
        }
        let rows: [any SQLRow]
        do {
            rows = try await look()
        } catch {
            try await ensureTable(on: database)
            rows = try await look()
        }
        return Set(try rows.map { try $0.decode(column: "id", as: String.self) })
    }

    /// Applies what is pending and returns the ids it applied, in order.
    @discardableResult
    public func migrate(_ database: any DatabaseHandle) async throws -> [String] {
        let done = try await applied(on: database)
        var appliedNow: [String] = []
        for migration in migrations where !done.contains(migration.id) {
            let kind = database.kind
            let didApply = try await database.write { sql in
                if kind == .postgres {
                    try await sql.raw("SELECT pg_advisory_xact_lock(\(unsafeRaw: String(Self.lockKey)))").run()
                }
                let existing = try await sql.raw("SELECT id FROM leopard_migrations WHERE id = \(bind: migration.id)").first()
                guard existing == nil else { return false }
                for statement in migration.statements(for: kind) {
                    try await sql.raw(SQLQueryString(statement)).run()
                }
                try await sql.raw("INSERT INTO leopard_migrations (id, applied_at) VALUES (\(bind: migration.id), \(bind: Timestamp.string(Date())))").run()
                return true
            }
            if didApply { appliedNow.append(migration.id) }
        }
        return appliedNow
    }

    private func ensureTable(on database: any DatabaseHandle) async throws {
        let kind = database.kind
        try await database.write { sql in
            if kind == .postgres {
                try await sql.raw("SELECT pg_advisory_xact_lock(\(unsafeRaw: String(Self.lockKey)))").run()
            }
            // The bookkeeping table is the one thing that cannot be a migration of its own.
            try await sql.raw("CREATE TABLE IF NOT EXISTS leopard_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)").run()
        }
    }
}
