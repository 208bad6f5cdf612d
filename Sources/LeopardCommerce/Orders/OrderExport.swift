import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Orders placed in a date range as CSV, one row per line with the order's fields on each (what
/// a spreadsheet or an accountant's import wants). Amounts are in minor units, as in the API.
public struct OrderExport: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public static let header = [
        "order", "placed_at", "status", "email", "currency", "subtotal", "discount", "shipping", "tax", "total", "refunded", "payment_method",
        "shipping_method", "ship_to_name", "ship_to_city", "ship_to_country", "line_title", "variant", "sku", "quantity", "unit_price", "line_total",
        "fulfilled_quantity", "returned_quantity",
    ]

    /// The range, `YYYY-MM-DD` both ends inclusive (UTC), at most 366 days; field errors otherwise.
    public static func range(from: String?, to: String?) throws -> (start: String, end: String) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        var errors: [Problem.FieldError] = []
        func day(_ text: String?, _ field: String) -> Date? {
            guard let text, text.count == 10, let date = formatter.date(from: text) else {
                errors.append(.init(field: field, message: "must be a date like 2026-12-31"))
                return nil
            }
            return date
        }
        let start = day(from, "from")
        let end = day(to, "to")
        if let start, let end, end < start || end.timeIntervalSince(start) > 365 * 86400 {
            errors.append(.init(field: "to", message: "must be on or after from, at most 366 days later"))
        }
        guard errors.isEmpty, let start, let end else { throw Problem.validation(errors) }
        return (start.stamp, end.addingTimeInterval(86400).stamp)
    }

    public func csv(from start: String, to end: String) async throws -> String {
        try await database.read { sql in
            let ids = try await sql.raw(
                "SELECT id FROM orders WHERE created_at >= \(bind: start) AND created_at < \(bind: end) ORDER BY id"
            ).all().map { try $0.decode(column: "id", as: String.self) }
            var lines = [CSV.line(Self.header)]
            var index = 0
            while index < ids.count {
                let chunk = Array(ids[index..<min(index + 200, ids.count)])
                index += 200
                for order in try await OrderReader(sql: sql).orders(ids: chunk, withEvents: false) {
                    for line in order.lines { lines.append(CSV.line(Self.row(order, line))) }
                }
            }
            return lines.joined(separator: "\r\n") + "\r\n"
        }
    }

    static func row(_ order: Order, _ line: OrderLine) -> [String] {
        [
            order.name, order.createdAt, order.status.rawValue, order.email, order.currency, String(order.subtotal.amount), String(order.discount.amount),
            String(order.shipping.amount), String(order.tax.amount), String(order.total.amount), String(order.refundedTotal.amount), order.paymentMethod,
            order.shippingMethod ?? "", order.shippingAddress.name, order.shippingAddress.city, order.shippingAddress.country, line.title,
            line.variantTitle ?? "", line.sku ?? "", String(line.quantity), String(line.unitPrice.amount), String(line.total.amount),
            String(line.fulfilledQuantity), String(line.returnedQuantity),
        ]
    }
}
