import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// The products that sold best in a range of the store's days: units and revenue (line totals
/// less their discounts, before tax) of orders placed then and not cancelled. A draft's custom
/// lines count together as one row with no product. Titles are the products' titles today.
public struct ProductReport: Sendable {
    public struct Row: Sendable, Encodable, Equatable {
        public let productId: String?
        public let title: String
        public let units: Int
        public let revenue: Int
    }

    public static let csvHeader = ["product_id", "title", "units", "revenue"]

    public static func csv(_ rows: [Row]) -> String {
        ([csvHeader] + rows.map { [$0.productId ?? "", $0.title, String($0.units), String($0.revenue)] }).map(CSV.line).joined(separator: "\r\n") + "\r\n"
    }

    /// Best sellers by revenue (then units, then id), a page at a time; the cursor is the
    /// position in that order.
    public static func load(_ range: ReportRange, page: PageRequest, from database: any DatabaseHandle) async throws -> Page<Row> {
        guard let offset = page.after.map({ Int($0) }) ?? 0, offset >= 0 else {
            throw Problem.invalid("cursor", "is not a cursor this API returned")
        }
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT l.product_id, COALESCE(MAX(p.title), MAX(l.title)) AS title, CAST(SUM(l.quantity) AS BIGINT) AS units,
                       CAST(SUM(l.line_total - l.discount) AS BIGINT) AS revenue
                FROM order_lines l JOIN orders o ON o.id = l.order_id LEFT JOIN products p ON p.id = l.product_id
                WHERE o.created_at >= \(bind: range.start.stamp) AND o.created_at < \(bind: range.end.stamp) AND o.status <> 'cancelled'
                GROUP BY l.product_id ORDER BY revenue DESC, units DESC, l.product_id LIMIT \(bind: page.limit + 1) OFFSET \(bind: offset)
                """
            ).all()
        }
        let found = try rows.map { row in
            let product = try row.decode(column: "product_id", as: String.self)
            return Row(
                productId: product.isEmpty ? nil : product, title: product.isEmpty ? "Custom items" : try row.decode(column: "title", as: String.self),
                units: try row.decode(column: "units", as: Int.self), revenue: try row.decode(column: "revenue", as: Int.self))
        }
        return Page(data: Array(found.prefix(page.limit)), nextCursor: found.count > page.limit ? Cursor.encode(String(offset + page.limit)) : nil)
    }
}
