import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// What the admin dashboard shows: today's orders and revenue, orders waiting to be fulfilled,
/// the number of products, and tracked variants at or under the low-stock threshold.
public struct StoreOverview: Sendable {
    public struct LowStock: Sendable, Equatable {
        public let productID: String
        public let productTitle: String
        public let variantTitle: String
        public let stock: Int
    }

    public let ordersToday: Int
    /// Paid (and later) orders placed today, less what was refunded, in minor units.
    public let revenueToday: Int
    public let awaitingFulfilment: Int
    public let productCount: Int
    public let lowStock: [LowStock]

    /// "Today" is the day of `now` in the store's zone.
    public static func load(
        from database: any DatabaseHandle, lowStockThreshold: Int, zone: TimeZone = .gmt, now: Date = Date()
    ) async throws
        -> StoreOverview
    {
        let dayStart = ReportRange.last(days: 1, interval: .day, zone: zone, now: now).start.stamp
        return try await database.read { sql in
            let today = try await sql.raw(
                """
                SELECT COUNT(*) AS n,
                       CAST(COALESCE(SUM(CASE WHEN status IN ('paid', 'fulfilled', 'refunded', 'partially_refunded') THEN total - refunded_total ELSE 0 END), 0) AS BIGINT) AS revenue
                FROM orders WHERE created_at >= \(bind: dayStart)
                """
            ).first()
            let waiting = try await sql.raw("SELECT COUNT(*) AS n FROM orders WHERE status = 'paid'").first()
            let products = try await sql.raw("SELECT COUNT(*) AS n FROM products").first()
            let low = try await sql.raw(
                """
                SELECT p.id, p.title, v.title AS variant_title, v.stock FROM product_variants v JOIN products p ON p.id = v.product_id
                WHERE v.track_inventory = 1 AND v.stock <= \(bind: lowStockThreshold) AND p.status <> 'archived'
                ORDER BY v.stock, p.title LIMIT 10
                """
            ).all()
            return StoreOverview(
                ordersToday: try today?.decode(column: "n", as: Int.self) ?? 0,
                revenueToday: try today?.decode(column: "revenue", as: Int.self) ?? 0,
                awaitingFulfilment: try waiting?.decode(column: "n", as: Int.self) ?? 0,
                productCount: try products?.decode(column: "n", as: Int.self) ?? 0,
                lowStock: try low.map {
                    LowStock(
                        productID: try $0.decode(column: "id", as: String.self), productTitle: try $0.decode(column: "title", as: String.self),
                        variantTitle: try $0.decode(column: "variant_title", as: String.self), stock: try $0.decode(column: "stock", as: Int.self))
                })
        }
    }
}
