import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// What the platform's operator reports need from one store, read from its own database: its
/// sales by UTC day for the days whose ledger changed since a given time, when it last took an
/// order and when staff last signed in, its size and its currency.
public struct StoreActivity: Sendable, Equatable {
    /// One UTC day's sales: orders placed (less those cancelled), what they came to (the gross
    /// merchandise value), and the refunds made that day.
    public struct Day: Sendable, Equatable {
        public let day: String
        public let orders: Int
        public let gmv: Int
        public let refunds: Int
    }

    public let days: [Day]
    public let lastOrderAt: String?
    public let lastStaffSignInAt: String?
    public let databaseBytes: Int
    public let currency: String

    static let bucketsPerDay = 86_400 / SalesLedger.bucketSeconds

    /// Reads the activity; `days` holds every whole UTC day with a ledger entry written at or
    /// after `changedSince` (Unix seconds), summed over all of that day's entries.
    public static func load(from database: any DatabaseHandle, changedSince: Int) async throws -> StoreActivity {
        try await database.read { sql in
            // The changed days first (through the `recorded` index), then those days' entries
            // (through the `bucket` index): browsing traffic that sold nothing reads one index.
            let changed = try await sql.raw(
                "SELECT DISTINCT bucket / \(unsafeRaw: String(bucketsPerDay)) AS day FROM sales_entries WHERE recorded >= \(bind: changedSince)"
            ).all().map { try $0.decode(column: "day", as: Int.self) }
            var rows: [any SQLRow] = []
            if let first = changed.min(), let last = changed.max() {
                rows = try await sql.raw(
                    """
                    SELECT bucket / \(unsafeRaw: String(bucketsPerDay)) AS day, CAST(SUM(orders) AS BIGINT) AS orders,
                           CAST(SUM(total) AS BIGINT) AS gmv, CAST(SUM(refunds) AS BIGINT) AS refunds
                    FROM sales_entries WHERE bucket >= \(bind: first * bucketsPerDay) AND bucket < \(bind: (last + 1) * bucketsPerDay)
                    GROUP BY bucket / \(unsafeRaw: String(bucketsPerDay))
                    """
                ).all()
            }
            let wanted = Set(changed)
            let facts = try await sql.raw(
                """
                SELECT (SELECT MAX(created_at) FROM staff_sessions) AS sign_in, (SELECT MAX(created_at) FROM orders) AS last_order,
                       (SELECT currency FROM store_settings WHERE id = 1) AS currency
                """
            ).first()
            return StoreActivity(
                days: try rows.compactMap { row -> Day? in
                    let number = try row.decode(column: "day", as: Int.self)
                    guard wanted.contains(number) else { return nil }
                    let day = Date(timeIntervalSince1970: Double(number * 86_400))
                    return Day(
                        day: String(Timestamp.string(day).prefix(10)), orders: try row.decode(column: "orders", as: Int.self),
                        gmv: try row.decode(column: "gmv", as: Int.self), refunds: try row.decode(column: "refunds", as: Int.self))
                },
                lastOrderAt: try facts?.decode(column: "last_order", as: String?.self),
                lastStaffSignInAt: try facts?.decode(column: "sign_in", as: String?.self),
                databaseBytes: try await StoreUsage.databaseBytes(sql, kind: database.kind),
                currency: try facts?.decode(column: "currency", as: String?.self) ?? "USD")
        }
    }
}
