import Foundation
import LeopardCore
import SQLKit

/// Keeps the store's sales ledger (`sales_entries`), inside the transactions that change what
/// was sold: a placed order adds itself at the time it was placed, a cancellation or an edit
/// adds its correction at that same quarter hour, and a refund counts when it is made. Entries
/// are only ever inserted, never updated, so two transactions never wait on one ledger row; the
/// sales report sums them by quarter hour.
enum SalesLedger {
    struct Change: Equatable {
        var orders = 0
        var gross = 0
        var discounts = 0
        var refunds = 0
        var tax = 0
        var shipping = 0
        /// What the orders came to (after discounts, with shipping and any tax added on top).
        var total = 0

        var isEmpty: Bool { self == Change() }

        static func - (lhs: Change, rhs: Change) -> Change {
            Change(
                orders: lhs.orders - rhs.orders, gross: lhs.gross - rhs.gross, discounts: lhs.discounts - rhs.discounts,
                refunds: lhs.refunds - rhs.refunds, tax: lhs.tax - rhs.tax, shipping: lhs.shipping - rhs.shipping, total: lhs.total - rhs.total)
        }
    }

    static let bucketSeconds = 900

    static func bucket(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / Double(bucketSeconds)).rounded(.down)) }

    /// Adds `change` at the quarter hour of `date`, stamped with the time it is written.
    static func record(_ change: Change, at date: Date, on sql: any SQLDatabase) async throws {
        guard !change.isEmpty else { return }
        try await sql.raw(
            """
            INSERT INTO sales_entries (bucket, orders, gross, discounts, refunds, tax, shipping, total, recorded)
            VALUES (\(bind: bucket(date)), \(bind: change.orders), \(bind: change.gross), \(bind: change.discounts), \(bind: change.refunds),
                    \(bind: change.tax), \(bind: change.shipping), \(bind: change.total), \(bind: Int(Date().timeIntervalSince1970)))
            """
        ).run()
    }

    /// What an order counts for while it is not cancelled, read from its row, and when it was
    /// placed (the stored stamp, so a correction lands in the quarter hour the order did).
    static func placed(orderID: String, on sql: any SQLDatabase) async throws -> (change: Change, at: Date, paid: Bool)? {
        guard
            let row = try await sql.raw(
                "SELECT subtotal, discount_total, tax, shipping, total, status, created_at FROM orders WHERE id = \(bind: orderID)"
            ).first(),
            let placedAt = Timestamp.date(try row.decode(column: "created_at", as: String.self))
        else { return nil }
        let change = Change(
            orders: 1, gross: try row.decode(column: "subtotal", as: Int.self), discounts: try row.decode(column: "discount_total", as: Int.self),
            tax: try row.decode(column: "tax", as: Int.self), shipping: try row.decode(column: "shipping", as: Int.self),
            total: try row.decode(column: "total", as: Int.self))
        return (change, placedAt, !["pending", "cancelled"].contains(try row.decode(column: "status", as: String.self)))
    }
}
