import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Sales by each product's main category (as the catalog has it today): units and revenue
/// after discounts of orders placed in the range and not cancelled. Products with no category,
/// deleted products and a draft's custom lines count under no category.
public enum CategoryReport {
    public struct Row: Sendable, Encodable, Equatable {
        public let categoryId: String?
        public let name: String
        public let units: Int
        public let revenue: Int

        enum CodingKeys: String, CodingKey { case categoryId, name, units, revenue }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(categoryId, forKey: .categoryId)
            try container.encode(name, forKey: .name)
            try container.encode(units, forKey: .units)
            try container.encode(revenue, forKey: .revenue)
        }
    }

    /// At most 1,000 categories, by revenue.
    public static func load(_ range: ReportRange, from database: any DatabaseHandle) async throws -> [Row] {
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT c.id, MAX(c.name) AS name, CAST(SUM(l.quantity) AS BIGINT) AS units, CAST(SUM(l.line_total - l.discount) AS BIGINT) AS revenue
                FROM order_lines l JOIN orders o ON o.id = l.order_id LEFT JOIN products p ON p.id = l.product_id
                LEFT JOIN categories c ON c.id = p.category_id
                WHERE o.created_at >= \(bind: range.start.stamp) AND o.created_at < \(bind: range.end.stamp) AND o.status <> 'cancelled'
                GROUP BY c.id ORDER BY revenue DESC, c.id LIMIT 1000
                """
            ).all()
        }
        return try rows.map { row in
            let id = try row.decode(column: "id", as: String?.self)
            return Row(
                categoryId: id, name: id == nil ? "No category" : try row.decode(column: "name", as: String.self),
                units: try row.decode(column: "units", as: Int.self), revenue: try row.decode(column: "revenue", as: Int.self))
        }
    }

    public static func csv(_ rows: [Row]) -> String {
        ([["category_id", "name", "units", "revenue"]] + rows.map { [$0.categoryId ?? "", $0.name, String($0.units), String($0.revenue)] })
            .map(CSV.line).joined(separator: "\r\n") + "\r\n"
    }
}
