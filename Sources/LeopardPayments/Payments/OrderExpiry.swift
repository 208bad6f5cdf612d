import Foundation
import LeopardCommerce
import LeopardCore
import SQLKit

/// Unpaid card orders give their stock back when the store's reservation time is over: the
/// order becomes `expired` (announced as `order.expired`), its stock returns, its discount uses
/// are given back. An order whose card payment is under way (an authorization, or a bank's
/// confirmation begun in the last half hour) is left alone and looked at again a little later;
/// a confirmation abandoned longer than that is cancelled with the order, so nobody holds stock
/// by starting payments and walking away.
extension Payments {
    public static let expiryRecheck: TimeInterval = 300
    /// How long a card payment may wait for the shopper's bank before its order may expire.
    public static let abandonedAfter: TimeInterval = 1800

    /// Expires the store's due orders, at most `limit`; returns how many expired and the
    /// provider payments that were cancelled with them, for their providers to be told.
    @discardableResult
    public func expireDue(now: Date = Date(), limit: Int = 50) async throws -> (expired: Int, stopped: [Stopped]) {
        let stamp = now.stamp
        let due = try await database.read { sql in
            try await sql.raw(
                "SELECT id FROM orders WHERE status = 'pending' AND expires_at <= \(bind: stamp) ORDER BY expires_at LIMIT \(bind: limit)"
            ).all().map { try $0.decode(column: "id", as: String.self) }
        }
        var stopped: [Stopped] = []
        var expired = 0
        for id in due {
            guard let cancelled = try await expire(orderID: id, now: now) else { continue }
            expired += 1
            stopped += cancelled
        }
        return (expired, stopped)
    }

    /// When the next unpaid card order falls due, if any.
    public func nextExpiry() async throws -> Date? {
        try await database.read { sql in
            try await sql.raw("SELECT MIN(expires_at) AS due FROM orders WHERE status = 'pending' AND expires_at IS NOT NULL").first()?
                .decode(column: "due", as: String?.self).flatMap(Timestamp.date)
        }
    }

    /// The payments cancelled with the order, or nil when it did not expire (paid meanwhile, or
    /// a payment is under way).
    private func expire(orderID id: String, now: Date) async throws -> [Stopped]? {
        let lock = rowLock
        return try await database.write { sql in
            guard let row = try await sql.raw("SELECT status, expires_at, currency FROM orders WHERE id = \(bind: id)" + lock).first(),
                try row.decode(column: "status", as: String.self) == OrderStatus.pending.rawValue,
                let expiresAt = try row.decode(column: "expires_at", as: String?.self), expiresAt <= now.stamp
            else { return nil }
            let underway = try await sql.raw(
                """
                SELECT id FROM payments WHERE order_id = \(bind: id)
                AND (status IN ('authorized', 'captured', 'partially_refunded')
                     OR (status = 'requires_action' AND updated_at > \(bind: now.addingTimeInterval(-Self.abandonedAfter).stamp)))
                """
            ).first()
            if underway != nil {
                try await sql.raw(
                    "UPDATE orders SET expires_at = \(bind: now.addingTimeInterval(Self.expiryRecheck).stamp) WHERE id = \(bind: id)"
                ).run()
                return nil
            }
            let currency = try row.decode(column: "currency", as: String.self)
            let abandoned = try await sql.raw(
                "SELECT id, provider, provider_reference, amount FROM payments WHERE order_id = \(bind: id) AND status = 'requires_action'"
            ).all().map { row in
                Stopped(
                    paymentID: try row.decode(column: "id", as: String.self), provider: try row.decode(column: "provider", as: String.self),
                    reference: try row.decode(column: "provider_reference", as: String.self),
                    amount: Money(amount: try row.decode(column: "amount", as: Int.self), currency: currency))
            }
            for payment in abandoned {
                try await sql.raw(
                    "UPDATE payments SET status = 'cancelled', next_action_json = NULL, updated_at = \(bind: now.stamp) WHERE id = \(bind: payment.paymentID)"
                ).run()
                try await Self.log(
                    paymentID: payment.paymentID, type: "cancelled", status: .cancelled, amount: nil, source: "order_expired", now: now, on: sql)
            }
            guard let moved = try await Orders.transition(orderID: id, to: .expired, lock: "", now: now, on: sql), moved.changed else { return nil }
            try await Orders.addEvent(
                orderID: id, type: "expired", message: "Not paid in time: the order expired and its items went back on sale", actor: nil, now: now, on: sql)
            _ = try await Inventory.returnStock(orderID: id, reason: "order_expired", actor: "system", now: now, on: sql)
            try await DiscountRules.release(orderID: id, now: now, on: sql)
            return abandoned
        }
    }
}
