import LeopardCore
import SQLKit

/// Reads orders' shipments and returns, with their lines, two queries each.
struct OrderAftercareReader {
    let sql: any SQLDatabase

    func fulfillments(orderIDs: [String]) async throws -> [String: [Fulfillment]] {
        let rows = try await sql.raw(
            """
            SELECT id, order_id, carrier, tracking_number, tracking_url, created_by, created_at FROM fulfillments
            WHERE order_id IN (\(binds: orderIDs)) ORDER BY id
            """
        ).all()
        guard !rows.isEmpty else { return [:] }
        let lines = try await lines(table: "fulfillment_lines", key: "fulfillment_id", ids: try rows.map { try $0.decode(column: "id", as: String.self) })
        var result: [String: [Fulfillment]] = [:]
        for row in rows {
            let id = try row.decode(column: "id", as: String.self)
            result[try row.decode(column: "order_id", as: String.self), default: []].append(
                Fulfillment(
                    id: id, lines: (lines[id] ?? []).map { Fulfillment.Line(lineId: $0.lineId, quantity: $0.quantity) },
                    carrier: try row.decode(column: "carrier", as: String?.self), trackingNumber: try row.decode(column: "tracking_number", as: String?.self),
                    trackingUrl: try row.decode(column: "tracking_url", as: String?.self), createdBy: try row.decode(column: "created_by", as: String.self),
                    createdAt: try row.decode(column: "created_at", as: String.self)))
        }
        return result
    }

    /// Returns per order; amounts in minor units with the currency left for the caller to set.
    func returns(orderIDs: [String]) async throws -> [String: [OrderReturn]] {
        let rows = try await sql.raw(
            """
            SELECT id, order_id, reason, restock, amount, refunded_amount, created_by, created_at FROM order_returns
            WHERE order_id IN (\(binds: orderIDs)) ORDER BY id
            """
        ).all()
        guard !rows.isEmpty else { return [:] }
        let lines = try await lines(table: "return_lines", key: "return_id", ids: try rows.map { try $0.decode(column: "id", as: String.self) })
        var result: [String: [OrderReturn]] = [:]
        for row in rows {
            let id = try row.decode(column: "id", as: String.self)
            result[try row.decode(column: "order_id", as: String.self), default: []].append(
                OrderReturn(
                    id: id, lines: lines[id] ?? [], reason: try row.decode(column: "reason", as: String.self),
                    restock: try row.decode(column: "restock", as: Int.self) != 0,
                    amount: Money(amount: try row.decode(column: "amount", as: Int.self), currency: ""),
                    refundedAmount: Money(amount: try row.decode(column: "refunded_amount", as: Int.self), currency: ""),
                    createdBy: try row.decode(column: "created_by", as: String.self), createdAt: try row.decode(column: "created_at", as: String.self)))
        }
        return result
    }

    /// Lines of shipments or returns by their parent's id, in the order lines' order.
    private func lines(table: String, key: String, ids: [String]) async throws -> [String: [OrderReturn.Line]] {
        let amount: SQLQueryString = table == "return_lines" ? "x.amount" : "0"
        let rows = try await sql.raw(
            """
            SELECT x.\(unsafeRaw: key) AS parent, x.order_line_id, x.quantity, \(amount) AS amount
            FROM \(unsafeRaw: table) x JOIN order_lines l ON l.id = x.order_line_id
            WHERE x.\(unsafeRaw: key) IN (\(binds: ids)) ORDER BY l.position
            """
        ).all()
        var result: [String: [OrderReturn.Line]] = [:]
        for row in rows {
            result[try row.decode(column: "parent", as: String.self), default: []].append(
                OrderReturn.Line(
                    lineId: try row.decode(column: "order_line_id", as: String.self), quantity: try row.decode(column: "quantity", as: Int.self),
                    amount: try row.decode(column: "amount", as: Int.self)))
        }
        return result
    }
}
