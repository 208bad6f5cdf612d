import Foundation
import LeopardCommerce
import LeopardCore
import SQLKit

extension Payments {
    /// A provider payment that was under way when its order was cancelled: it was marked
    /// cancelled with the order, and its provider is told next.
    public struct Stopped: Sendable, Equatable {
        public let paymentID: String
        public let provider: String
        public let reference: String
        public let amount: Money
    }

    /// Cancels a pending order and every payment still under way on it, in one transaction
    /// with the order's row locked: a payment's capture (`apply`) locks the same row first, so
    /// the two are serialised. Either the capture came first, and the order is paid and cannot
    /// be cancelled (409: refund it instead), or the cancel came first, and the payment is
    /// cancelled, so a late `payment_intent.succeeded` finds nothing to capture. Stock goes back.
    public func cancelOrder(id: String, reason: String?, actor: String, now: Date = Date()) async throws -> [Stopped] {
        let lock = rowLock
        let message = "Cancelled" + (reason.map { ": \($0.prefix(200))" } ?? "")
        return try await database.write { sql in
            guard let order = try await sql.raw("SELECT status, currency FROM orders WHERE id = \(bind: id)" + lock).first() else {
                throw Problem.notFound("There is no order \(id.prefix(64)).")
            }
            let status = try order.decode(column: "status", as: String.self)
            let captured = try await sql.raw("SELECT id FROM payments WHERE order_id = \(bind: id) AND status IN ('captured', 'partially_refunded')").first()
            if status == OrderStatus.paid.rawValue || captured != nil {
                throw Problem.conflict("This order has been paid: refund it instead of cancelling it.")
            }
            let live = try await sql.raw(
                """
                SELECT id, provider, provider_reference, amount FROM payments WHERE order_id = \(bind: id) AND status IN ('requires_action', 'authorized')
                """
            ).all()
            let currency = try order.decode(column: "currency", as: String.self)
            let stopped = try live.map { row in
                Stopped(
                    paymentID: try row.decode(column: "id", as: String.self), provider: try row.decode(column: "provider", as: String.self),
                    reference: try row.decode(column: "provider_reference", as: String.self),
                    amount: Money(amount: try row.decode(column: "amount", as: Int.self), currency: currency))
            }
            guard let moved = try await Orders.transition(orderID: id, to: .cancelled, lock: "", now: now, on: sql), moved.changed else {
                throw Problem.conflict("An order that is \(status) cannot become cancelled.")
            }
            for payment in stopped {
                try await sql.raw(
                    """
                    UPDATE payments SET status = 'cancelled', next_action_json = NULL, updated_at = \(bind: now.stamp) WHERE id = \(bind: payment.paymentID)
                    """
                ).run()
                try await Self.log(
                    paymentID: payment.paymentID, type: "cancelled", status: .cancelled, amount: nil, source: "order_cancelled", now: now, on: sql)
            }
            try await Orders.addEvent(orderID: id, type: "cancelled", message: message, actor: actor, now: now, on: sql)
            try await AuditLog.record(actor: actor, action: "order.cancelled", subject: id, summary: message, now: now, on: sql)
            _ = try await Inventory.returnStock(orderID: id, reason: "order_cancelled", actor: actor, now: now, on: sql)
            try await DiscountRules.release(orderID: id, now: now, on: sql)
            return stopped
        }
    }
}
