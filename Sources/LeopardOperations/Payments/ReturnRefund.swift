import Foundation
import LeopardCommerce
import LeopardCore
import LeopardStorage
import SQLKit

/// A refund of a return: how much (what is left of the return, and the order's shipping once
/// when asked), and what the refund's transaction records against the return.
struct ReturnRefund {
    let amount: Int
    let recording: @Sendable (any SQLDatabase) async throws -> Void

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
        let onShipping = amount - onReturn
        return ReturnRefund(amount: amount) { sql in
            if onReturn > 0 { try await OrderReturns.recordRefund(returnID: returnID, amount: onReturn, on: sql) }
            if onShipping > 0 {
                if try await sql.raw("SELECT id FROM order_events WHERE order_id = \(bind: orderID) AND type = 'shipping_refunded'").first() != nil {
                    throw Problem.conflict("This order's shipping was refunded meanwhile; reload the order and try again.")
                }
                try await Orders.addEvent(
                    orderID: orderID, type: "shipping_refunded", message: "Shipping refunded (\(onShipping))", actor: nil, now: Date(), on: sql)
            }
        }
    }

    /// The order's shipping, unless a refund included it already.
    static func shippingLeft(orderID: String, database: any DatabaseHandle) async throws -> Int {
        try await database.read { sql in
            if try await sql.raw("SELECT id FROM order_events WHERE order_id = \(bind: orderID) AND type = 'shipping_refunded'").first() != nil { return 0 }
            return try await sql.raw("SELECT shipping FROM orders WHERE id = \(bind: orderID)").first()?.decode(column: "shipping", as: Int.self) ?? 0
        }
    }
}
