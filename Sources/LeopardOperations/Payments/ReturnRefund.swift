import Foundation
import LeopardCommerce
import LeopardCore
import LeopardStorage
import Logging
import SQLKit

/// A refund of a return: how much (what is left of the return, and the order's shipping once
/// when asked). Its share is reserved on the return before any money moves, so two refunds of
/// one return racing cannot both go out; a refund that moves no money gives the share back.
struct ReturnRefund {
    let returnID: String
    let amount: Int
    let onReturn: Int
    let onShipping: Int

    /// Nil for a refund that names no return.
    static func plan(orderID: String, input: OrderRefunds.Input, database: any DatabaseHandle) async throws -> ReturnRefund? {
        guard let returnID = input.returnId else {
            if input.includeShipping != nil { throw Problem.invalid("includeShipping", "goes with returnId") }
            return nil
        }
        if input.restock != nil { throw Problem.invalid("restock", "is set on the return itself, when it is recorded") }
        guard returnID.utf8.count <= 64 else { throw Problem.invalid("returnId", "is not a return of this order") }
        let left = try await OrderReturns(database: database).refundable(returnID: returnID, orderID: orderID)
        let shipping = input.includeShipping == true ? try await shippingLeft(orderID: orderID, database: database) : 0
        let most = left + shipping
        let amount = input.amount ?? most
        guard most > 0 else { throw Problem.conflict("This return has been refunded in full already.") }
        guard amount <= most else {
            throw Problem.invalid("amount", "must be at most \(most), what is left of the return" + (shipping > 0 ? " and shipping" : ""))
        }
        let onReturn = min(amount, left)
        return ReturnRefund(returnID: returnID, amount: amount, onReturn: onReturn, onShipping: amount - onReturn)
    }

    /// Takes the share: 409 when another refund of the return (or of the shipping) got there first.
    func reserve(orderID: String, actor: String, database: any DatabaseHandle, now: Date = Date()) async throws {
        try await database.write { sql in
            if onReturn > 0 { try await OrderReturns.recordRefund(returnID: returnID, amount: onReturn, on: sql) }
            if onShipping > 0 {
                if try await sql.raw("SELECT id FROM order_events WHERE order_id = \(bind: orderID) AND type = 'shipping_refunded'").first() != nil {
                    throw Problem.conflict("This order's shipping was refunded meanwhile; reload the order and try again.")
                }
                try await Orders.addEvent(
                    orderID: orderID, type: "shipping_refunded", message: "Shipping refunded (\(onShipping))", actor: actor, now: now, on: sql)
            }
        }
    }

    /// Gives the share back after a refund that moved no money.
    func release(orderID: String, database: any DatabaseHandle, logger: Logger) async {
        do {
            try await database.write { sql in
                try await sql.raw("UPDATE order_returns SET refunded_amount = refunded_amount - \(bind: onReturn) WHERE id = \(bind: returnID)").run()
                if onShipping > 0 {
                    try await sql.raw("DELETE FROM order_events WHERE order_id = \(bind: orderID) AND type = 'shipping_refunded'").run()
                }
            }
        } catch {
            logger.error("a return's refund share could not be given back", metadata: ["return": .string(returnID), "error": .string("\(error)")])
        }
    }

    /// What the shopper paid for shipping (after a free-shipping discount, with its tax when tax
    /// is added): the order's total less what they paid for its lines; nothing once refunded.
    static func shippingLeft(orderID: String, database: any DatabaseHandle) async throws -> Int {
        try await database.read { sql in
            if try await sql.raw("SELECT id FROM order_events WHERE order_id = \(bind: orderID) AND type = 'shipping_refunded'").first() != nil { return 0 }
            guard let order = try await sql.raw("SELECT total, prices_include_tax FROM orders WHERE id = \(bind: orderID)").first() else { return 0 }
            let includesTax = try order.decode(column: "prices_include_tax", as: Int.self) != 0
            var lines = 0
            for line in try await sql.raw("SELECT line_total, discount, tax FROM order_lines WHERE order_id = \(bind: orderID)").all() {
                lines +=
                    try line.decode(column: "line_total", as: Int.self) - line.decode(column: "discount", as: Int.self)
                    + (includesTax ? 0 : try line.decode(column: "tax", as: Int.self))
            }
            return max(0, try order.decode(column: "total", as: Int.self) - lines)
        }
    }
}
