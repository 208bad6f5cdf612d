import LeopardStorage
import SQLKit

/// Each store's activity as the platform keeps it (`tenant_activity`, `tenant_sales_days`),
/// written by the roll-up after the store's requests are counted, read by the operator's reports.
public struct PlatformActivity: Sendable {
    /// One UTC day of a store's sales.
    public struct Day: Sendable, Equatable {
        public let day: String
        public let orders: Int
        public let gmv: Int
        public let refunds: Int

        public init(day: String, orders: Int, gmv: Int, refunds: Int) {
            self.day = day
            self.orders = orders
            self.gmv = gmv
            self.refunds = refunds
        }
    }

    /// What one read of a store found.
    public struct Snapshot: Sendable {
        public let days: [Day]
        public let lastOrderAt: String?
        public let lastStaffSignInAt: String?
        public let databaseBytes: Int
        public let currency: String

        public init(days: [Day], lastOrderAt: String?, lastStaffSignInAt: String?, databaseBytes: Int, currency: String) {
            self.days = days
            self.lastOrderAt = lastOrderAt
            self.lastStaffSignInAt = lastStaffSignInAt
            self.databaseBytes = databaseBytes
            self.currency = currency
        }
    }

    let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    /// When the store was last rolled up (Unix seconds), or nil when never.
    public func rolledUpAt(tenantID: String) async throws -> Int? {
        try await database.read { sql in
            try await sql.raw("SELECT rolled_up_at FROM tenant_activity WHERE tenant_id = \(bind: tenantID)").first()?
                .decode(column: "rolled_up_at", as: Int.self)
        }
    }

    /// Writes a read of the store that began at `readAt`, unless a read that began later has
    /// been written already (two instances rolling up one store): the later read wins whole.
    @discardableResult
    public func record(tenantID: String, _ snapshot: Snapshot, readAt: Int) async throws -> Bool {
        try await database.write { sql in
            let claimed = try await sql.raw(
                """
                INSERT INTO tenant_activity (tenant_id, rolled_up_at, last_order_at, last_staff_sign_in_at, database_bytes, currency)
                VALUES (\(bind: tenantID), \(bind: readAt), \(bind: snapshot.lastOrderAt), \(bind: snapshot.lastStaffSignInAt),
                        \(bind: snapshot.databaseBytes), \(bind: snapshot.currency))
                ON CONFLICT (tenant_id) DO UPDATE SET rolled_up_at = excluded.rolled_up_at, last_order_at = excluded.last_order_at,
                    last_staff_sign_in_at = excluded.last_staff_sign_in_at, database_bytes = excluded.database_bytes, currency = excluded.currency
                WHERE tenant_activity.rolled_up_at <= excluded.rolled_up_at
                RETURNING tenant_id
                """
            ).first()
            guard claimed != nil else { return false }
            for day in snapshot.days {
                try await sql.raw(
                    """
                    INSERT INTO tenant_sales_days (tenant_id, day, currency, orders, gmv, refunds)
                    VALUES (\(bind: tenantID), \(bind: day.day), \(bind: snapshot.currency), \(bind: day.orders), \(bind: day.gmv), \(bind: day.refunds))
                    ON CONFLICT (tenant_id, day) DO UPDATE SET currency = excluded.currency, orders = excluded.orders, gmv = excluded.gmv,
                        refunds = excluded.refunds
                    """
                ).run()
            }
            return true
        }
    }

    /// Forgets a purged store's activity.
    public func remove(tenantID: String) async throws {
        try await database.write { sql in
            try await sql.raw("DELETE FROM tenant_sales_days WHERE tenant_id = \(bind: tenantID)").run()
            try await sql.raw("DELETE FROM tenant_activity WHERE tenant_id = \(bind: tenantID)").run()
        }
    }
}
