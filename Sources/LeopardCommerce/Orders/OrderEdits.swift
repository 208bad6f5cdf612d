import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Changing an order before anything ships: quantities (0 removes a line) and new lines at
/// today's price. Lines already on the order keep the price the customer was quoted; the
/// order's discounts are taken again by the one price calculation, its shipping stays as
/// charged, and tax is worked out for its address. Stock moves with the quantities, in the
/// same transaction. An unpaid order is simply re-priced (no payment may be under way); a paid
/// order may only get cheaper, and the answer says how much to refund. To charge a customer
/// more, staff make a draft order for the extra items and send its payment link.
public struct OrderEdits: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public struct Input: Decodable, Sendable {
        public struct LineChange: Decodable, Sendable {
            public var lineId: String
            /// The line's new quantity; 0 removes it.
            public var quantity: Int

            public init(lineId: String, quantity: Int) {
                self.lineId = lineId
                self.quantity = quantity
            }
        }

        public var lines: [LineChange]?
        /// Variants not on the order yet, at today's price.
        public var add: [Carts.LineInput]?
        /// The new total (minor units) a preview showed: the save is refused if it would differ.
        public var expectedTotal: Int?

        public init(lines: [LineChange]? = nil, add: [Carts.LineInput]? = nil, expectedTotal: Int? = nil) {
            self.lines = lines
            self.add = add
            self.expectedTotal = expectedTotal
        }
    }

    public struct Outcome: Sendable, Encodable {
        /// The order as it is (or, for a preview, as it would be).
        public let order: Order
        public let previousTotal: Money
        /// `order.total − previousTotal`: above zero is still to be paid, below zero is to be
        /// refunded (on a paid order).
        public let difference: Money
        /// What to refund now: the paid order got cheaper.
        public let refundDue: Money?
        /// False for a preview: nothing was changed.
        public let saved: Bool
    }

    /// A preview's outcome, carried out of the transaction it rolls back.
    struct Rollback: Error {
        let outcome: Outcome
    }

    /// Edits the order; with `save: false` works everything out and changes nothing.
    public func edit(orderID: String, _ input: Input, actor: String, save: Bool = true, now: Date = Date()) async throws -> Outcome {
        guard orderID.utf8.count <= 64 else { throw Self.notFound(orderID) }
        let changes = try Self.validated(input)
        let lock = database.rowLock
        do {
            return try await database.write { sql in
                // The order row first, locked: payments, shipments, refunds, cancellation and
                // expiry take the same lock, so nothing changes the order between the checks
                // below and the writes (SQLite's single writer serialises anyway).
                guard try await sql.raw("SELECT id FROM orders WHERE id = \(bind: orderID)" + lock).first() != nil else { throw Self.notFound(orderID) }
                let outcome = try await self.apply(orderID: orderID, changes: changes, actor: actor, save: save, now: now, on: sql)
                if let expected = input.expectedTotal, save, outcome.order.total.amount != expected {
                    throw Problem.conflict(
                        "The order changed since the preview: its new total would be \(outcome.order.total.amount), not \(expected). Preview again.")
                }
                if !save { throw Rollback(outcome: outcome) }
                return outcome
            }
        } catch let rollback as Rollback {
            return rollback.outcome
        }
    }

    typealias Changes = (quantities: [String: Int], added: [(variantID: String, quantity: Int)])

    static func validated(_ input: Input) throws -> Changes {
        var errors: [Problem.FieldError] = []
        var quantities: [String: Int] = [:]
        for (index, change) in (input.lines ?? []).enumerated() {
            if !(0...Carts.maximumQuantity).contains(change.quantity) {
                errors.append(.init(field: "lines.\(index).quantity", message: "must be a whole number from 0 to \(Carts.maximumQuantity)"))
            }
            if change.lineId.utf8.count > 64 || quantities[change.lineId] != nil {
                errors.append(.init(field: "lines.\(index).lineId", message: "must name each line of the order once"))
            }
            quantities[change.lineId] = change.quantity
        }
        var added: [(String, Int)] = []
        for (index, line) in (input.add ?? []).enumerated() {
            if !(1...Carts.maximumQuantity).contains(line.quantity) {
                errors.append(.init(field: "add.\(index).quantity", message: "must be a whole number from 1 to \(Carts.maximumQuantity)"))
            }
            if line.variantId.utf8.count > 64 || added.contains(where: { $0.0 == line.variantId }) {
                errors.append(.init(field: "add.\(index).variantId", message: "must name each variant once"))
            }
            added.append((line.variantId, line.quantity))
        }
        if quantities.count + added.count > Carts.maximumLines {
            errors.append(.init(field: "lines", message: "must change at most \(Carts.maximumLines) lines"))
        }
        if quantities.isEmpty && added.isEmpty { errors.append(.init(field: "lines", message: "must change or add at least one line")) }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return (quantities, added)
    }

    /// Why the order cannot be edited now, if it cannot.
    static func refusal(_ order: Order, now: Date, on sql: any SQLDatabase) async throws -> String? {
        guard order.status == .pending || order.status == .paid else {
            return "Only an order that is waiting for payment or paid, and not shipped, can be edited."
        }
        if order.status == .pending, let expires = order.expiresAt, expires <= now.stamp {
            return "This order's reservation has run out; it is about to expire."
        }
        if order.lines.contains(where: { $0.fulfilledQuantity > 0 || $0.returnedQuantity > 0 }) || order.refundedTotal.amount > 0 {
            return "Items of this order have shipped, come back or been refunded: it can no longer be edited."
        }
        if order.status == .pending,
            try await sql.raw("SELECT id FROM payments WHERE order_id = \(bind: order.id) AND status IN ('requires_action', 'authorized', 'captured')")
                .first() != nil
        {
            return "A payment for this order is under way; wait for it to finish before editing."
        }
        return nil
    }

    static func notFound(_ id: String) -> Problem { Problem.notFound("There is no order \(id.prefix(64)).") }
}
