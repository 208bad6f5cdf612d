import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// The products that sold best in a range of the store's days: units and revenue (line totals
/// less their discounts, before tax) of orders placed then and not cancelled. A draft's custom
/// lines count together as one row with no product. Titles are the products' titles today.
public struct ProductReport: Sendable {
    public enum Grouping: String, Sendable {
        case product, variant
    }

    public struct Row: Sendable, Encodable, Equatable {
        public let productId: String?
        public let title: String
        /// With `by=variant` only.
        public var variantId: String? = nil
        public var variantTitle: String? = nil
        public let units: Int
        public let revenue: Int

        enum CodingKeys: String, CodingKey { case productId, title, variantId, variantTitle, units, revenue }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(productId, forKey: .productId)
            try container.encode(title, forKey: .title)
            try container.encodeIfPresent(variantId, forKey: .variantId)
            try container.encodeIfPresent(variantTitle, forKey: .variantTitle)
            try container.encode(units, forKey: .units)
            try container.encode(revenue, forKey: .revenue)
        }
    }

    public static let csvHeader = ["product_id", "title", "units", "revenue"]

    public static func csv(_ rows: [Row]) -> String {
        let variants = rows.contains { $0.variantId != nil }
        let header = variants ? ["product_id", "variant_id", "title", "variant", "units", "revenue"] : csvHeader
        let lines = rows.map { row in
            variants
                ? [row.productId ?? "", row.variantId ?? "", row.title, row.variantTitle ?? "", String(row.units), String(row.revenue)]
                : [row.productId ?? "", row.title, String(row.units), String(row.revenue)]
        }
        return ([header] + lines).map(CSV.line).joined(separator: "\r\n") + "\r\n"
    }

    /// Best sellers by revenue (then units, then id), a page at a time; the cursor is the
    /// position in that order.
    public static func load(
        _ range: ReportRange, by grouping: Grouping = .product, page: PageRequest, from database: any DatabaseHandle
    ) async throws
        -> Page<Row>
    {
        guard let offset = page.after.map({ Int($0) }) ?? 0, offset >= 0 else {
            throw Problem.invalid("cursor", "is not a cursor this API returned")
        }
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT l.product_id, MAX(l.variant_id) AS variant_id, COALESCE(MAX(p.title), MAX(l.title)) AS title,
                       COALESCE(MAX(v.title), MAX(l.variant_title)) AS variant_title, CAST(SUM(l.quantity) AS BIGINT) AS units,
                       CAST(SUM(l.line_total - l.discount) AS BIGINT) AS revenue
                FROM order_lines l JOIN orders o ON o.id = l.order_id LEFT JOIN products p ON p.id = l.product_id
                LEFT JOIN product_variants v ON v.id = l.variant_id
                WHERE o.created_at >= \(bind: range.start.stamp) AND o.created_at < \(bind: range.end.stamp) AND o.status <> 'cancelled'
                GROUP BY l.product_id\(unsafeRaw: grouping == .variant ? ", l.variant_id" : "")
                ORDER BY revenue DESC, units DESC, l.product_id\(unsafeRaw: grouping == .variant ? ", l.variant_id" : "")
                LIMIT \(bind: page.limit + 1) OFFSET \(bind: offset)
                """
            ).all()
        }
        let found = try rows.map { row in
            let product = try row.decode(column: "product_id", as: String.self)
            var found = Row(
                productId: product.isEmpty ? nil : product, title: product.isEmpty ? "Custom items" : try row.decode(column: "title", as: String.self),
                units: try row.decode(column: "units", as: Int.self), revenue: try row.decode(column: "revenue", as: Int.self))
            if grouping == .variant, !product.isEmpty {
                found.variantId = try row.decode(column: "variant_id", as: String.self)
                found.variantTitle = try row.decode(column: "variant_title", as: String?.self)
            }
            return found
        }
        return Page(data: Array(found.prefix(page.limit)), nextCursor: found.count > page.limit ? Cursor.encode(String(offset + page.limit)) : nil)
    }
}
