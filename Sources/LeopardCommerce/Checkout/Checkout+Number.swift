import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// The order's number: claimed last, so that the store-wide lock it takes is held for as few
/// statements as possible.
extension Checkout {
    /// The number an order is written with before it gets its own: negative, so it can never
    /// be a real one, and random, so that two checkouts in flight do not collide on the unique
    /// index. Nobody else sees it: the order is renumbered in the same transaction.
    static func provisionalNumber() -> Int {
        -Int.random(in: 1...(1 << 62))
    }

    /// Claims the store's next order number, gives it to the order (written earlier under a
    /// provisional number) and writes the order's "placed" event. On PostgreSQL this locks the
    /// store's settings row until the commit, in one statement. Every transaction takes its row
    /// locks in one order: the guest's customer row (only when it is new), variant rows by id,
    /// the settings row, discount rows by id; cancellations and expiries give stock back before
    /// discount uses. A currency changed since the terms were read (possible only before a
    /// store's first order) refuses the checkout rather than mixing currencies.
    static func number(
        orderID: String, currency: String, email: String, kind: DatabaseKind, now: Date, on sql: any SQLDatabase
    ) async throws -> (Int, OrderEvent) {
        let eventID = Identifier.make("evt", date: now)
        let number: Int
        let claimed: String
        if kind == .postgres {
            // The number, the order's update and the event in one round trip.
            guard
                let row = try await sql.raw(
                    """
                    WITH claimed AS (
                        UPDATE store_settings SET next_order_number = next_order_number + 1 WHERE id = 1
                        RETURNING next_order_number - 1 AS number, currency
                    ), renumbered AS (
                        UPDATE orders SET number = claimed.number FROM claimed
                        WHERE orders.id = CAST(\(bind: orderID) AS TEXT) AND claimed.currency = CAST(\(bind: currency) AS TEXT) RETURNING orders.id
                    ), placed AS (
                        INSERT INTO order_events (id, order_id, type, message, actor, created_at)
                        SELECT CAST(\(bind: eventID) AS TEXT), CAST(\(bind: orderID) AS TEXT), 'placed',
                            'Order #' || claimed.number || ' placed by ' || CAST(\(bind: email) AS TEXT), NULL, CAST(\(bind: now.stamp) AS TEXT)
                        FROM claimed WHERE claimed.currency = CAST(\(bind: currency) AS TEXT)
                        RETURNING id
                    )
                    SELECT number, currency FROM claimed
                    """
                ).first()
            else { throw Problem.notFound("This store has no settings.") }
            (number, claimed) = (try row.decode(column: "number", as: Int.self), try row.decode(column: "currency", as: String.self))
        } else {
            guard
                let row = try await sql.raw(
                    "UPDATE store_settings SET next_order_number = next_order_number + 1 WHERE id = 1 RETURNING next_order_number - 1 AS number, currency"
                ).first()
            else { throw Problem.notFound("This store has no settings.") }
            (number, claimed) = (try row.decode(column: "number", as: Int.self), try row.decode(column: "currency", as: String.self))
            if claimed == currency {
                try await sql.raw("UPDATE orders SET number = \(bind: number) WHERE id = \(bind: orderID)").run()
                try await sql.raw(
                    """
                    INSERT INTO order_events (id, order_id, type, message, actor, created_at)
                    VALUES (\(bind: eventID), \(bind: orderID), 'placed', \(bind: Self.placedMessage(number: number, email: email)), NULL, \(bind: now.stamp))
                    """
                ).run()
            }
        }
        guard claimed == currency else {
            throw Problem.conflict("The store's currency changed during checkout; please try again.")
        }
        let event = OrderEvent(id: eventID, type: "placed", message: Self.placedMessage(number: number, email: email), actor: nil, createdAt: now.stamp)
        return (number, event)
    }

    static func placedMessage(number: Int, email: String) -> String {
        "Order #\(number) placed by \(email)"
    }
}
