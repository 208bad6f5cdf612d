import Foundation
import LeopardCommerce
import LeopardCore
import SQLKit

/// Unpaid card orders give their stock back when the store's reservation time is over: the
/// order becomes `expired` (announced as `order.expired`), its stock returns, its discount uses
/// are given back. An order whose card payment is under way (a bank's confirmation, an
/// authorization) is left alone and looked at again a little later.
extension Payments {
    public static let expiryRecheck: TimeInterval = 300

    /// Expires the store's due orders, at most `limit`; returns how many expired.
    @discardableResult
    public func expireDue(now: Date = Date(), limit: Int = 50) async throws -> Int {
        let stamp = now.stamp
        let due = try await database.read { sql in
            try await sql.raw(
                "SELECT id FROM orders WHERE status = 'pending' AND expires_at <= \(bind: stamp) ORDER BY expires_at LIMIT \(bind: limit)"
            ).all().map { try $0.decode(column: "id", as: String.self) }
        }
        var expired = 0
        for id in due where try await expire(orderID: id, now: now) { expired += 1 }
        return expired
    }

    /// When the next unpaid card order falls due, if any.
    public func nextExpiry() async throws -> Date? {
        try await database.read { sql in
            try await sql.raw("SELECT MIN(expires_at) AS due FROM orders WHERE status = 'pending' AND expires_at IS NOT NULL").first()?
                .decode(column: "due", as: String?.self).flatMap(Timestamp.date)
        }
    }

    private func expire(orderID id: String, now: Date) async throws -> Bool {
        let lock = rowLock
        return try await database.write { sql in
            guard let row = try await sql.raw("SELECT status, expires_at FROM orders WHERE id = \(bind: id)" + lock).first(),
                try row.decode(column: "status", as: String.self) == OrderStatus.pending.rawValue,
                let expiresAt = try row.decode(column: "expires_at", as: String?.self), expiresAt <= now.stamp
            else { return false }
            let underway = try await sql.raw(
                "SELECT id FROM payments WHERE order_id = \(bind: id) AND status IN ('requires_action', 'authorized', 'captured', 'partially_refunded')"
            ).first()
            if underway != nil {
                try await sql.raw(
                    "UPDATE orders SET expires_at = \(bind: now.addingTimeInterval(Self.expiryRecheck).stamp) WHERE id = \(bind: id)"
                ).run()
                return false
            }
            guard let moved = try await Orders.transition(orderID: id, to: .expired, lock: "", now: now, on: sql), moved.changed else { return false }
            try await Orders.addEvent(
                orderID: id, type: "expired", message: "Not paid in time: the order expired and its items went back on sale", actor: nil, now: now, on: sql)
            _ = try await Inventory.returnStock(orderID: id, reason: "order_expired", actor: "system", now: now, on: sql)
            return true
        }
    }
}
