import Foundation
import LeopardCore
import SQLKit

extension PlatformReport {
    /// The platform database's rows behind the report, by UTC day.
    struct Rows {
        struct Sale {
            let day: String
            let currency: String
            let orders: Int
            let gmv: Int
            let refunds: Int
        }

        struct Attempt {
            let day: String
            let failed: Bool
            let microseconds: Int
        }

        /// The most provisioning attempts read for one report (the newest).
        static let attemptLimit = 100_000

        var signups: [(String, Int)] = []
        var sales: [Sale] = []
        var attempts: [Attempt] = []
        var stores = Stores()
        var largest: [Store] = []

        /// Days from `from` up to (not including) `after`, both `YYYY-MM-DD`.
        static func load(_ sql: any SQLDatabase, from: String, after: String, now: Date) async throws -> Rows {
            var rows = Rows()
            for row in try await sql.raw(
                """
                SELECT day, CAST(COUNT(*) AS BIGINT) AS n FROM (SELECT substr(created_at, 1, 10) AS day FROM tenants
                WHERE created_at >= \(bind: from) AND created_at < \(bind: after)) AS created GROUP BY day
                """
            ).all() {
                rows.signups.append((try row.decode(column: "day", as: String.self), try row.decode(column: "n", as: Int.self)))
            }
            rows.sales = try await sql.raw(
                """
                SELECT day, currency, CAST(SUM(orders) AS BIGINT) AS orders, CAST(SUM(gmv) AS BIGINT) AS gmv,
                       CAST(SUM(refunds) AS BIGINT) AS refunds
                FROM tenant_sales_days d WHERE day >= \(bind: from) AND day < \(bind: after)
                  AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = d.tenant_id)
                GROUP BY day, currency
                """
            ).all().map {
                Sale(
                    day: try $0.decode(column: "day", as: String.self), currency: try $0.decode(column: "currency", as: String.self),
                    orders: try $0.decode(column: "orders", as: Int.self), gmv: try $0.decode(column: "gmv", as: Int.self),
                    refunds: try $0.decode(column: "refunds", as: Int.self))
            }
            rows.attempts = try await sql.raw(
                """
                SELECT started_at, outcome, total_microseconds FROM provisioning_attempts
                WHERE started_at >= \(bind: from) AND started_at < \(bind: after) ORDER BY started_at DESC LIMIT \(bind: attemptLimit)
                """
            ).all().map {
                Attempt(
                    day: String(try $0.decode(column: "started_at", as: String.self).prefix(10)),
                    failed: try $0.decode(column: "outcome", as: String.self) == "failed",
                    microseconds: try $0.decode(column: "total_microseconds", as: Int.self))
            }
            rows.stores = try await stores(sql, now: now)
            rows.largest = try await largest(sql, from: from, after: after)
            return rows
        }

        static func stores(_ sql: any SQLDatabase, now: Date) async throws -> Stores {
            var stores = Stores()
            for row in try await sql.raw("SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM tenants GROUP BY status").all() {
                let count = try row.decode(column: "n", as: Int.self)
                stores.total += count
                switch try row.decode(column: "status", as: String.self) {
                case "active": stores.active = count
                case "suspended": stores.suspended = count
                case "deleted": stores.deleted = count
                default: stores.provisioning += count
                }
            }
            let since = Timestamp.string(now.addingTimeInterval(-30 * 86_400))
            stores.activeLast30Days =
                try await sql.raw(
                    """
                    SELECT CAST(COUNT(*) AS BIGINT) AS n FROM tenants t JOIN tenant_activity a ON a.tenant_id = t.id
                    WHERE t.status = 'active' AND (a.last_order_at >= \(bind: since) OR a.last_staff_sign_in_at >= \(bind: since))
                    """
                ).first()?.decode(column: "n", as: Int.self) ?? 0
            return stores
        }

        static func largest(_ sql: any SQLDatabase, from: String, after: String) async throws -> [Store] {
            try await sql.raw(
                """
                SELECT t.id, t.slug, t.status, a.database_bytes, a.currency,
                    (SELECT CAST(COALESCE(SUM(d.orders), 0) AS BIGINT) FROM tenant_sales_days d
                     WHERE d.tenant_id = t.id AND d.day >= \(bind: from) AND d.day < \(bind: after)) AS orders,
                    (SELECT CAST(COALESCE(SUM(d.gmv), 0) AS BIGINT) FROM tenant_sales_days d
                     WHERE d.tenant_id = t.id AND d.day >= \(bind: from) AND d.day < \(bind: after)) AS gmv,
                    (SELECT CAST(COALESCE(SUM(u.requests), 0) AS BIGINT) FROM tenant_usage u
                     WHERE u.tenant_id = t.id AND u.hour >= \(bind: from) AND u.hour < \(bind: after)) AS requests
                FROM tenant_activity a JOIN tenants t ON t.id = a.tenant_id
                WHERE t.status IN ('active', 'suspended')
                ORDER BY a.database_bytes DESC, t.id LIMIT 10
                """
            ).all().map {
                Store(
                    tenantId: try $0.decode(column: "id", as: String.self), slug: try $0.decode(column: "slug", as: String.self),
                    status: try $0.decode(column: "status", as: String.self), databaseBytes: try $0.decode(column: "database_bytes", as: Int.self),
                    currency: try $0.decode(column: "currency", as: String.self), orders: try $0.decode(column: "orders", as: Int.self),
                    gmv: try $0.decode(column: "gmv", as: Int.self), requests: try $0.decode(column: "requests", as: Int.self))
            }
        }
    }
}
