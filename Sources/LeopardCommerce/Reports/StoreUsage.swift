import LeopardStorage
import SQLKit

/// A store's size and business as the operator sees it: products, customers, orders, revenue
/// (what paid orders brought in, less refunds, in minor units of the store's currency), and the
/// bytes its database takes (the SQLite file's pages, or `pg_database_size`).
public struct StoreUsage: Sendable, Equatable, Encodable {
    public let products: Int
    public let customers: Int
    public let orders: Int
    public let revenue: Int
    public let currency: String
    public let databaseBytes: Int
    public let lastOrderAt: String?

    public static func load(from database: any DatabaseHandle) async throws -> StoreUsage {
        try await database.read { sql in
            let counts = try await sql.raw(
                """
                SELECT (SELECT COUNT(*) FROM products) AS products, (SELECT COUNT(*) FROM customers) AS customers,
                       (SELECT COUNT(*) FROM orders) AS orders,
                       (SELECT CAST(COALESCE(SUM(total - refunded_total), 0) AS BIGINT) FROM orders WHERE status IN ('paid', 'fulfilled', 'refunded', 'partially_refunded')) AS revenue,
                       (SELECT MAX(created_at) FROM orders) AS last_order, (SELECT currency FROM store_settings WHERE id = 1) AS currency
                """
            ).first()
            let size = try await databaseBytes(sql, kind: database.kind)
            return StoreUsage(
                products: try counts?.decode(column: "products", as: Int.self) ?? 0,
                customers: try counts?.decode(column: "customers", as: Int.self) ?? 0,
                orders: try counts?.decode(column: "orders", as: Int.self) ?? 0,
                revenue: try counts?.decode(column: "revenue", as: Int.self) ?? 0,
                currency: try counts?.decode(column: "currency", as: String?.self) ?? "USD",
                databaseBytes: size, lastOrderAt: try counts?.decode(column: "last_order", as: String?.self))
        }
    }

    /// The bytes the store's database takes: the SQLite file's pages, or `pg_database_size`.
    static func databaseBytes(_ sql: any SQLDatabase, kind: DatabaseKind) async throws -> Int {
        switch kind {
        case .sqlite:
            let pages = try await sql.raw("PRAGMA page_count").first()?.decode(column: "page_count", as: Int.self) ?? 0
            let pageSize = try await sql.raw("PRAGMA page_size").first()?.decode(column: "page_size", as: Int.self) ?? 0
            return pages * pageSize
        case .postgres:
            return try await sql.raw("SELECT pg_database_size(current_database())::bigint AS n").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }
}
