import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// When each periodic task (the scheduled backup) last ran, in the platform database, so that
/// of several instances that wake at the same moment exactly one starts the run.
public struct ScheduledRuns: Sendable {
    let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public func lastRun(_ name: String) async throws -> Date? {
        try await database.read { sql in
            try await sql.raw("SELECT last_run_at FROM scheduled_runs WHERE name = \(bind: name)").first()
                .flatMap { Timestamp.date(try $0.decode(column: "last_run_at", as: String.self)) }
        }
    }

    /// Starts the run `name` at `now` if it is due (never run, or last run at least `interval`
    /// before `now`), and in the same transaction does `start` (queue its jobs). Returns false
    /// when it was not due: another instance started it first, or it is early. One statement
    /// decides, so two instances cannot both start the same run.
    public func start(
        _ name: String, interval: TimeInterval, now: Date, _ start: @escaping @Sendable (any SQLDatabase) async throws -> Void
    ) async throws -> Bool {
        try await database.write { sql in
            let won =
                try await sql.raw(
                    """
                    INSERT INTO scheduled_runs (name, last_run_at) VALUES (\(bind: name), \(bind: now.stamp))
                    ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at
                    WHERE scheduled_runs.last_run_at <= \(bind: now.addingTimeInterval(-interval).stamp)
                    RETURNING name
                    """
                ).first() != nil
            if won { try await start(sql) }
            return won
        }
    }
}
