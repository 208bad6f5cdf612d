import Foundation
import LeopardCore
import SQLKit

/// Keeps `sales_buckets` (the store's sales in quarter hours) up to date, inside the
/// transactions that change what was sold: a placed order adds itself at the time it was
/// placed, a cancellation or an edit corrects that same quarter hour, and a refund counts when
/// it is made. The sales report only ever adds buckets up.
enum SalesLedger {
    struct Change: Equatable {
        var orders = 0
        var gross = 0
        var discounts = 0
        var refunds = 0
        var tax = 0
        var shipping = 0

        var isEmpty: Bool { self == Change() }

        static func - (lhs: Change, rhs: Change) -> Change {
            Change(
                orders: lhs.orders - rhs.orders, gross: lhs.gross - rhs.gross, discounts: lhs.discounts - rhs.discounts,
                refunds: lhs.refunds - rhs.refunds, tax: lhs.tax - rhs.tax, shipping: lhs.shipping - rhs.shipping)
        }
    }

    static let bucketSeconds = 900

    static func bucket(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / Double(bucketSeconds)).rounded(.down)) }

    /// Adds `change` to the quarter hour of `date`.
    static func record(_ change: Change, at date: Date, on sql: any SQLDatabase) async throws {
        guard !change.isEmpty else { return }
        try await sql.raw(
            """
            INSERT INTO sales_buckets (bucket, orders, gross, discounts, refunds, tax, shipping)
            VALUES (\(bind: bucket(date)), \(bind: change.orders), \(bind: change.gross), \(bind: change.discounts), \(bind: change.refunds),
                    \(bind: change.tax), \(bind: change.shipping))
            ON CONFLICT (bucket) DO UPDATE SET orders = sales_buckets.orders + excluded.orders, gross = sales_buckets.gross + excluded.gross,
                discounts = sales_buckets.discounts + excluded.discounts, refunds = sales_buckets.refunds + excluded.refunds,
                tax = sales_buckets.tax + excluded.tax, shipping = sales_buckets.shipping + excluded.shipping
            """
        ).run()
    }

    /// What an order counts for while it is not cancelled, read from its row.
    static func placed(orderID: String, on sql: any SQLDatabase) async throws -> (change: Change, at: Date)? {
        guard
            let row = try await sql.raw("SELECT subtotal, discount_total, tax, shipping, created_at FROM orders WHERE id = \(bind: orderID)").first(),
            let placedAt = Timestamp.date(try row.decode(column: "created_at", as: String.self))
        else { return nil }
        let change = Change(
            orders: 1, gross: try row.decode(column: "subtotal", as: Int.self), discounts: try row.decode(column: "discount_total", as: Int.self),
            tax: try row.decode(column: "tax", as: Int.self), shipping: try row.decode(column: "shipping", as: Int.self))
        return (change, placedAt)
    }
}
