import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Items coming back. Staff record a return of shipped items (optionally putting them back in
/// stock), then refund it (`POST /api/orders/:id/refunds {returnId}`). A line's items come back
/// at most as many times as they shipped, bounded by each line's conditional update.
public struct OrderReturns: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public func create(orderID: String, _ input: ReturnInput, actor: String, now: Date = Date()) async throws -> OrderReturn {
        let requested = try input.lines.checked()
        let reason = (input.reason ?? "").trimmingWhitespace()
        guard reason.count <= 500 else { throw Problem.invalid("reason", "must be at most 500 characters") }
        let restock = input.restock ?? false
        let lock = database.rowLock
        return try await database.write { sql in
            guard let order = try await sql.raw("SELECT status, prices_include_tax, currency FROM orders WHERE id = \(bind: orderID)" + lock).first() else {
                throw Problem.notFound("There is no order \(orderID.prefix(64)).")
            }
            let status = try OrderStatus.stored(try order.decode(column: "status", as: String.self))
            guard ![.pending, .cancelled].contains(status) else { throw Problem.conflict("An order that is \(status.rawValue) has nothing to return.") }
            let includesTax = try order.decode(column: "prices_include_tax", as: Int.self) != 0
            var lines: [OrderReturn.Line] = []
            for (index, line) in requested.enumerated() {
                lines.append(try await Self.take(line, index: index, orderID: orderID, pricesIncludeTax: includesTax, on: sql))
            }
            let currency = try order.decode(column: "currency", as: String.self)
            let total = lines.map(\.amount).reduce(0, +)
            let entry = OrderReturn(
                id: Identifier.make("ret", date: now), lines: lines, reason: reason, restock: restock, amount: Money(amount: total, currency: currency),
                refundedAmount: Money(amount: 0, currency: currency), createdBy: actor, createdAt: now.stamp)
            try await Self.insert(entry, orderID: orderID, on: sql)
            if restock { try await Self.restock(entry, orderID: orderID, now: now, on: sql) }
            try await Self.announce(entry, orderID: orderID, now: now, on: sql)
            return entry
        }
    }

    /// Marks `line`'s items returned and prices them: the share of what the shopper paid for the
    /// line, the last item of a line taking what earlier returns left (no cent lost or made).
    static func take(_ line: Fulfillment.Line, index: Int, orderID: String, pricesIncludeTax: Bool, on sql: any SQLDatabase) async throws -> OrderReturn.Line {
        guard
            let row = try await sql.raw(
                """
                UPDATE order_lines SET returned_quantity = returned_quantity + \(bind: line.quantity)
                WHERE id = \(bind: line.lineId) AND order_id = \(bind: orderID) AND returned_quantity + \(bind: line.quantity) <= fulfilled_quantity
                RETURNING quantity, returned_quantity, fulfilled_quantity, line_total, discount, tax
                """
            ).first()
        else {
            let known = try await sql.raw(
                "SELECT fulfilled_quantity - returned_quantity AS remaining FROM order_lines WHERE id = \(bind: line.lineId) AND order_id = \(bind: orderID)"
            ).first()
            guard let known else { throw Problem.invalid("lines.\(index).lineId", "is not a line of this order") }
            let left = try known.decode(column: "remaining", as: Int.self)
            throw Problem.invalid("lines.\(index).quantity", "must be at most \(left), what has shipped and not come back")
        }
        let quantity = try row.decode(column: "quantity", as: Int.self)
        let paid =
            try row.decode(column: "line_total", as: Int.self) - row.decode(column: "discount", as: Int.self)
            + (pricesIncludeTax ? 0 : try row.decode(column: "tax", as: Int.self))
        let amount: Int
        if try row.decode(column: "returned_quantity", as: Int.self) == quantity {
            let earlier =
                try await sql.raw(
                    "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM return_lines WHERE order_line_id = \(bind: line.lineId)"
                ).first()?.decode(column: "total", as: Int.self) ?? 0
            amount = paid - earlier
        } else {
            // In 128 bits: a line may total up to 10,000 × the largest price, and the product
            // with a quantity must not overflow (rounded down, as before).
            let product = max(paid, 0).multipliedFullWidth(by: line.quantity)
            amount = max(quantity, 1).dividingFullWidth((high: product.high, low: product.low)).quotient
        }
        return OrderReturn.Line(lineId: line.lineId, quantity: line.quantity, amount: amount)
    }

    static func insert(_ entry: OrderReturn, orderID: String, on sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO order_returns (id, order_id, reason, restock, amount, refunded_amount, created_by, created_at)
            VALUES (\(bind: entry.id), \(bind: orderID), \(bind: entry.reason), \(bind: entry.restock ? 1 : 0), \(bind: entry.amount.amount), 0,
                    \(bind: entry.createdBy), \(bind: entry.createdAt))
            """
        ).run()
        for line in entry.lines {
            try await sql.raw(
                """
                INSERT INTO return_lines (return_id, order_line_id, quantity, amount)
                VALUES (\(bind: entry.id), \(bind: line.lineId), \(bind: line.quantity), \(bind: line.amount))
                """
            ).run()
        }
    }

    /// Puts the returned items of tracked variants back, never more of a line than was not put
    /// back already (a cancellation or refund may have restocked the whole order).
    /// Stock rows are locked by variant id, the order every transaction takes them in.
    static func restock(_ entry: OrderReturn, orderID: String, now: Date, on sql: any SQLDatabase) async throws {
        var returned: [(variantID: String, count: Int)] = []
        for line in entry.lines {
            guard
                let row = try await sql.raw(
                    """
                    SELECT l.variant_id, l.quantity - l.restocked_quantity AS unrestocked, v.track_inventory FROM order_lines l
                    JOIN product_variants v ON v.id = l.variant_id WHERE l.id = \(bind: line.lineId)
                    """
                ).first()
            else { continue }
            let count = min(line.quantity, try row.decode(column: "unrestocked", as: Int.self))
            guard count > 0, try row.decode(column: "track_inventory", as: Int.self) != 0 else { continue }
            try await sql.raw("UPDATE order_lines SET restocked_quantity = restocked_quantity + \(bind: count) WHERE id = \(bind: line.lineId)").run()
            returned.append((try row.decode(column: "variant_id", as: String.self), count))
        }
        for (variantID, count) in returned.sorted(by: { $0.variantID < $1.variantID }) {
            guard let after = try await Inventory.apply(variantID: variantID, delta: count, now: now, on: sql) else { continue }
            try await Inventory.record(
                variantID: variantID, delta: count, stockAfter: after, reason: "order_returned", reference: orderID, actor: entry.createdBy, now: now, on: sql)
        }
    }

    /// The order's return status, timeline, webhook and the audit log.
    static func announce(_ entry: OrderReturn, orderID: String, now: Date, on sql: any SQLDatabase) async throws {
        let open =
            try await sql.raw("SELECT COUNT(*) AS n FROM order_lines WHERE order_id = \(bind: orderID) AND returned_quantity < quantity").first()?
            .decode(column: "n", as: Int.self) ?? 0
        try await sql.raw(
            "UPDATE orders SET return_status = \(bind: open == 0 ? "returned" : "partial"), updated_at = \(bind: now.stamp) WHERE id = \(bind: orderID)"
        ).run()
        let items = entry.lines.map(\.quantity).reduce(0, +)
        let message =
            "Return of \(items) item\(items == 1 ? "" : "s") worth \(entry.amount.amount)" + (entry.restock ? ", restocked" : "")
            + (entry.reason.isEmpty ? "" : ": \(entry.reason)")
        try await Orders.addEvent(orderID: orderID, type: "returned", message: message, actor: entry.createdBy, now: now, on: sql)
        try await Outbox.publishOrder(.orderReturned, orderID: orderID, now: now, on: sql)
        try await AuditLog.record(actor: entry.createdBy, action: "return.created", subject: orderID, summary: message, now: now, on: sql)
    }

    /// What is left to refund of a return of `orderID`: 404 for no such order, 422 for a return of
    /// another order.
    public func refundable(returnID: String, orderID: String) async throws -> Int {
        let row = try await database.read { sql in
            guard try await sql.raw("SELECT id FROM orders WHERE id = \(bind: orderID)").first() != nil else {
                throw Problem.notFound("There is no order \(orderID.prefix(64)).")
            }
            return try await sql.raw(
                "SELECT amount - refunded_amount AS remaining FROM order_returns WHERE id = \(bind: returnID) AND order_id = \(bind: orderID)"
            ).first()
        }
        guard let row else { throw Problem.invalid("returnId", "is not a return of this order") }
        return try row.decode(column: "remaining", as: Int.self)
    }

    /// Counts `amount` of a refund against a return, in the refund's transaction; 409 when
    /// another refund of it got there first.
    public static func recordRefund(returnID: String, amount: Int, on sql: any SQLDatabase) async throws {
        guard
            try await sql.raw(
                """
                UPDATE order_returns SET refunded_amount = refunded_amount + \(bind: amount)
                WHERE id = \(bind: returnID) AND refunded_amount + \(bind: amount) <= amount RETURNING id
                """
            ).first() != nil
        else { throw Problem.conflict("This return was refunded meanwhile; reload the order and try again.") }
    }
}
