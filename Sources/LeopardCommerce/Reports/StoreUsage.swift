import LeopardStorage
import SQLKit

/// A store's size as the operator console shows it: products, orders, and the bytes its
/// database takes (the SQLite file's pages, or `pg_database_size`).
public struct StoreUsage: Sendable, Equatable {
    public let products: Int
    public let orders: Int
    public let databaseBytes: Int

    public static func load(from database: any DatabaseHandle) async throws -> StoreUsage {
        try await database.read { sql in
            let counts = try await sql.raw("SELECT (SELECT COUNT(*) FROM products) AS products, (SELECT COUNT(*) FROM orders) AS orders").first()
            let size: Int
            switch database.kind {
            case .sqlite:
                let pages = try await sql.raw("PRAGMA page_count").first()?.decode(column: "page_count", as: Int.self) ?? 0
                let pageSize = try await sql.raw("PRAGMA page_size").first()?.decode(column: "page_size", as: Int.self) ?? 0
                size = pages * pageSize
            case .postgres:
                size = try await sql.raw("SELECT pg_database_size(current_database())::bigint AS n").first()?.decode(column: "n", as: Int.self) ?? 0
            }
            return StoreUsage(products: try counts?.decode(column: "products", as: Int.self) ?? 0,
                              orders: try counts?.decode(column: "orders", as: Int.self) ?? 0, databaseBytes: size)
        }
    }
}
