import Foundation
import LeopardCore
import LeopardStorage
import SQLKit
import Synchronization

/// Requests per store, counted in memory and added to `tenant_usage` (one row per store and
/// UTC hour) by `flush`, which the server runs every half minute and at shutdown. Counting is a
/// dictionary update under a lock; no request waits for the platform database.
public final class UsageLedger: Sendable {
    struct Pending {
        var requests: Int
        /// The last request's time; nil for an hour with only open time.
        var last: Date?
        var busyMicroseconds = 0
        var openMicroseconds = 0
    }

    let database: any DatabaseHandle
    private let pending = Mutex<[String: [String: Pending]]>([:])
    /// Stores whose sales changed without a request (orders expired by the dispatcher, a
    /// restore) or whose roll-up failed: rolled up after the next flush.
    private let changed = Mutex<Set<String>>([])

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    static func hour(_ date: Date) -> String {
        String(Timestamp.string(date).prefix(13))  // 2026-11-23T08
    }

    static func microseconds(_ duration: Duration) -> Int {
        max(Int(duration.components.seconds) * 1_000_000 + Int(duration.components.attoseconds / 1_000_000_000_000), 0)
    }

    /// Counts a request; `busy`: how long it took to answer (0 for one counted as it arrives).
    public func record(tenantID: String, at now: Date = Date(), busy: Duration = .zero) {
        let hour = Self.hour(now)
        let micros = Self.microseconds(busy)
        pending.withLock { pending in
            pending[tenantID, default: [:]][hour, default: Pending(requests: 0, last: now)].requests += 1
            pending[tenantID]?[hour]?.last = now
            pending[tenantID]?[hour]?.busyMicroseconds += micros
        }
    }

    /// Adds how long the store's database was held open (`TenantDatabases.drainOpenTime`).
    public func record(tenantID: String, open: Duration, at now: Date = Date()) {
        let micros = Self.microseconds(open)
        guard micros > 0 else { return }
        pending.withLock { pending in
            pending[tenantID, default: [:]][Self.hour(now), default: Pending(requests: 0, last: nil)].openMicroseconds += micros
        }
    }

    /// Asks for the store's activity to be rolled up after the next flush.
    public func markChanged(tenantID: String) {
        _ = changed.withLock { $0.insert(tenantID) }
    }

    /// Writes what was counted since the last flush, and returns the stores to roll up: those
    /// that had requests and those marked changed. Counts that fail to write are put back.
    @discardableResult
    public func flush() async throws -> Set<String> {
        let taken = pending.withLock { pending in
            let copy = pending
            pending.removeAll()
            return copy
        }
        let marked = changed.withLock { changed in
            let copy = changed
            changed.removeAll()
            return copy
        }
        guard !taken.isEmpty else { return marked }
        do {
            try await database.write { sql in
                for (tenant, hours) in taken {
                    for (hour, counted) in hours {
                        try await sql.raw(
                            """
                            INSERT INTO tenant_usage (tenant_id, hour, requests, last_request_at, busy_microseconds, open_microseconds)
                            VALUES (\(bind: tenant), \(bind: hour), \(bind: counted.requests), \(bind: counted.last?.stamp ?? ""),
                                    \(bind: counted.busyMicroseconds), \(bind: counted.openMicroseconds))
                            ON CONFLICT (tenant_id, hour) DO UPDATE SET requests = tenant_usage.requests + excluded.requests,
                                busy_microseconds = tenant_usage.busy_microseconds + excluded.busy_microseconds,
                                open_microseconds = tenant_usage.open_microseconds + excluded.open_microseconds,
                                last_request_at = CASE WHEN excluded.last_request_at > tenant_usage.last_request_at THEN excluded.last_request_at ELSE tenant_usage.last_request_at END
                            """
                        ).run()
                    }
                }
            }
        } catch {
            pending.withLock { pending in
                for (tenant, hours) in taken {
                    for (hour, counted) in hours {
                        var entry = pending[tenant, default: [:]][hour, default: Pending(requests: 0, last: counted.last)]
                        entry.requests += counted.requests
                        entry.busyMicroseconds += counted.busyMicroseconds
                        entry.openMicroseconds += counted.openMicroseconds
                        entry.last = [entry.last, counted.last].compactMap { $0 }.max()
                        pending[tenant]?[hour] = entry
                    }
                }
            }
            changed.withLock { $0.formUnion(marked) }
            throw error
        }
        return marked.union(taken.filter { $0.value.values.contains { $0.requests > 0 } }.keys)
    }

    public struct Summary: Sendable, Equatable {
        public let last24Hours: Int
        public let last30Days: Int
        public let lastRequestAt: String?
        /// Seconds spent answering the store's requests in the last 30 days.
        public var busySeconds30Days: Double = 0
        /// Seconds the store's database was held open in the last 30 days.
        public var openSeconds30Days: Double = 0
    }

    /// Requests in the last 24 hours and 30 days (whole hours, so up to an hour more), written
    /// and still pending.
    public func summary(tenantID: String, now: Date = Date()) async throws -> Summary {
        let day = Self.hour(now.addingTimeInterval(-23 * 3600))
        let month = Self.hour(now.addingTimeInterval(-30 * 24 * 3600))
        let row = try await database.read { sql in
            try await sql.raw(
                """
                SELECT CAST(COALESCE(SUM(CASE WHEN hour >= \(bind: day) THEN requests ELSE 0 END), 0) AS BIGINT) AS day,
                       CAST(COALESCE(SUM(requests), 0) AS BIGINT) AS month, MAX(NULLIF(last_request_at, '')) AS last,
                       CAST(COALESCE(SUM(busy_microseconds), 0) AS BIGINT) AS busy,
                       CAST(COALESCE(SUM(open_microseconds), 0) AS BIGINT) AS open
                FROM tenant_usage WHERE tenant_id = \(bind: tenantID) AND hour >= \(bind: month)
                """
            ).first()
        }
        let (pendingDay, pendingMonth, pendingLast, pendingBusy, pendingOpen) = pending.withLock { pending -> (Int, Int, Date?, Int, Int) in
            let hours = pending[tenantID] ?? [:]
            let recent = hours.filter { $0.key >= month }.values
            return (
                hours.filter { $0.key >= day }.values.reduce(0) { $0 + $1.requests }, recent.reduce(0) { $0 + $1.requests },
                hours.values.compactMap(\.last).max(), recent.reduce(0) { $0 + $1.busyMicroseconds }, recent.reduce(0) { $0 + $1.openMicroseconds }
            )
        }
        let written = try row?.decode(column: "last", as: String?.self)
        let last = [written, pendingLast?.stamp].compactMap { $0 }.max()
        return Summary(
            last24Hours: (try row?.decode(column: "day", as: Int.self) ?? 0) + pendingDay,
            last30Days: (try row?.decode(column: "month", as: Int.self) ?? 0) + pendingMonth, lastRequestAt: last,
            busySeconds30Days: Double((try row?.decode(column: "busy", as: Int.self) ?? 0) + pendingBusy) / 1_000_000,
            openSeconds30Days: Double((try row?.decode(column: "open", as: Int.self) ?? 0) + pendingOpen) / 1_000_000)
    }

    /// Forgets a purged store's counts.
    public func remove(tenantID: String) async throws {
        pending.withLock { _ = $0.removeValue(forKey: tenantID) }
        _ = changed.withLock { $0.remove(tenantID) }
        try await database.write { sql in try await sql.raw("DELETE FROM tenant_usage WHERE tenant_id = \(bind: tenantID)").run() }
    }
}
