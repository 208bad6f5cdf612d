import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// New and returning customers in a range: a customer (guests included, by their address) is
/// new when their first order that was not cancelled falls in the range, returning when they
/// had ordered before it. Orders and revenue (what the orders came to) are split the same way.
public struct CustomerReport: Sendable, Encodable, Equatable {
    public struct Group: Sendable, Encodable, Equatable {
        public var customers = 0
        public var orders = 0
        public var revenue = 0
    }

    public let from: String
    public let to: String
    public var new = Group()
    public var returning = Group()

    public static func load(_ range: ReportRange, from database: any DatabaseHandle) async throws -> CustomerReport {
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                WITH firsts AS (
                    SELECT customer_id, MIN(created_at) AS first_at FROM orders WHERE status <> 'cancelled' AND customer_id IS NOT NULL GROUP BY customer_id
                )
                SELECT kind, COUNT(DISTINCT customer_id) AS customers, COUNT(*) AS orders, CAST(SUM(total) AS BIGINT) AS revenue
                FROM (
                    SELECT o.customer_id, o.total, CASE WHEN f.first_at >= CAST(\(bind: range.start.stamp) AS TEXT) THEN 'new' ELSE 'returning' END AS kind
                    FROM orders o JOIN firsts f ON f.customer_id = o.customer_id
                    WHERE o.created_at >= \(bind: range.start.stamp) AND o.created_at < \(bind: range.end.stamp) AND o.status <> 'cancelled'
                ) placed
                GROUP BY kind
                """
            ).all()
        }
        var report = CustomerReport(from: range.from, to: range.to)
        for row in rows {
            let group = Group(
                customers: try row.decode(column: "customers", as: Int.self), orders: try row.decode(column: "orders", as: Int.self),
                revenue: try row.decode(column: "revenue", as: Int.self))
            if try row.decode(column: "kind", as: String.self) == "new" { report.new = group } else { report.returning = group }
        }
        return report
    }

    public var csv: String {
        ([["customers", "count", "orders", "revenue"]]
            + [("new", new), ("returning", returning)].map { [$0.0, String($0.1.customers), String($0.1.orders), String($0.1.revenue)] })
            .map(CSV.line).joined(separator: "\r\n") + "\r\n"
    }
}
