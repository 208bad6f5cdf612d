import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// The platform's queue of background work that any instance may do (one store's scheduled
/// backup): jobs are claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL (one conditional
/// update on SQLite, whose writes go one at a time), leased for a while so that a job whose
/// instance died is taken up again, and each done once.
public struct PlatformJobs: Sendable {
    let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public struct Job: Sendable, Equatable {
        public let id: String
        public let kind: String
        public let tenantID: String?
        public let attempts: Int
    }

    /// Queues one job of `kind` per tenant, in the caller's transaction.
    public static func enqueue(_ kind: String, tenantIDs: [String], now: Date, on sql: any SQLDatabase) async throws {
        for tenantID in tenantIDs {
            try await sql.raw(
                """
                INSERT INTO platform_jobs (id, kind, tenant_id, status, attempts, created_at)
                VALUES (\(bind: Identifier.make("job", date: now)), \(bind: kind), \(bind: tenantID), 'pending', 0, \(bind: now.stamp))
                """
            ).run()
        }
    }

    /// Takes the oldest pending job of `kind` that nobody holds, for `lease` seconds; nil when
    /// there is none. Jobs tried `maximumAttempts` times are left failed.
    public func claim(_ kind: String, lease: TimeInterval, maximumAttempts: Int = 3, now: Date = Date()) async throws -> Job? {
        let skipLocked: SQLQueryString = database.kind == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return try await database.write { sql in
            try await sql.raw(
                """
                UPDATE platform_jobs SET status = 'failed', finished_at = \(bind: now.stamp)
                WHERE kind = \(bind: kind) AND status = 'pending' AND attempts >= \(bind: maximumAttempts) AND lease_until <= \(bind: now.stamp)
                """
            ).run()
            return try await sql.raw(
                """
                UPDATE platform_jobs SET attempts = attempts + 1, lease_until = \(bind: now.addingTimeInterval(lease).stamp)
                WHERE id = (
                    SELECT id FROM platform_jobs
                    WHERE kind = \(bind: kind) AND status = 'pending' AND (lease_until IS NULL OR lease_until <= \(bind: now.stamp))
                    ORDER BY created_at, id LIMIT 1\(skipLocked)
                )
                RETURNING id, kind, tenant_id, attempts
                """
            ).first().map { row in
                Job(
                    id: try row.decode(column: "id", as: String.self), kind: try row.decode(column: "kind", as: String.self),
                    tenantID: try row.decode(column: "tenant_id", as: String?.self), attempts: try row.decode(column: "attempts", as: Int.self))
            }
        }
    }

    /// Records the end of a claimed job: done, or (with `error`) tried again once its lease ends.
    public func finish(_ job: Job, error: String? = nil, now: Date = Date()) async throws {
        try await database.writeStatement { sql in
            if let error {
                try await sql.raw("UPDATE platform_jobs SET last_error = \(bind: String(error.prefix(500))) WHERE id = \(bind: job.id)").run()
            } else {
                try await sql.raw("UPDATE platform_jobs SET status = 'done', lease_until = NULL, finished_at = \(bind: now.stamp) WHERE id = \(bind: job.id)")
                    .run()
            }
        }
    }

    /// Deletes finished jobs older than `age` seconds.
    public func prune(olderThan age: TimeInterval, now: Date = Date()) async throws {
        try await database.writeStatement { sql in
            try await sql.raw("DELETE FROM platform_jobs WHERE status <> 'pending' AND finished_at < \(bind: now.addingTimeInterval(-age).stamp)").run()
        }
    }

    /// How many jobs of `kind` are in each status.
    public func counts(_ kind: String) async throws -> [String: Int] {
        try await database.read { sql in
            var counts: [String: Int] = [:]
            for row in try await sql.raw("SELECT status, COUNT(*) AS n FROM platform_jobs WHERE kind = \(bind: kind) GROUP BY status").all() {
                counts[try row.decode(column: "status", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
    }
}
