import Foundation
import LeopardCommerce
import LeopardCore
import LeopardStorage
import SQLKit

/// Payments of one store's orders: records what providers say, moving payments (and their
/// orders) only forward, once per provider event.
public struct Payments: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    /// Row locks on PostgreSQL; SQLite's single writer serialises on its own.
    var rowLock: SQLQueryString { database.rowLock }

    static let columns =
        "id, order_id, provider, status, amount, currency, captured_amount, refunded_amount, card_brand, card_last4, next_action_json, failure_message, created_at, updated_at"

    public struct Start: Sendable {
        public var orderID: String
        public var provider: String
        public var reference: String
        public var status: PaymentStatus
        public var cardBrand: String?
        public var cardLast4: String?
        public var nextAction: Payment.NextAction?
        public var failureMessage: String?

        public init(
            orderID: String, provider: String, reference: String, status: PaymentStatus, cardBrand: String?, cardLast4: String?,
            nextAction: Payment.NextAction?, failureMessage: String?
        ) {
            self.orderID = orderID
            self.provider = provider
            self.reference = reference
            self.status = status
            self.cardBrand = cardBrand
            self.cardLast4 = cardLast4
            self.nextAction = nextAction
            self.failureMessage = failureMessage
        }
    }

    /// The amount and currency an order still needs paid; 404 for no order, 409 when it is not
    /// pending or already has a payment under way. Asked before a provider is called, and again
    /// by `record`, in the transaction that records the payment.
    public func amountDue(orderID: String) async throws -> Money {
        try await database.read { sql in try await Self.payable(orderID: orderID, lock: "", on: sql) }
    }

    static func payable(orderID: String, lock: SQLQueryString, on sql: any SQLDatabase) async throws -> Money {
        guard let order = try await sql.raw("SELECT status, total, currency FROM orders WHERE id = \(bind: orderID)" + lock).first() else {
            throw Problem.notFound("There is no order \(orderID.prefix(64)).")
        }
        guard try order.decode(column: "status", as: String.self) == "pending" else {
            throw Problem.conflict("Only a pending order can be paid.")
        }
        if try await sql.raw("SELECT id FROM payments WHERE order_id = \(bind: orderID) AND status IN ('requires_action', 'authorized', 'captured')").first()
            != nil
        {
            throw Problem.conflict("This order has a payment under way.")
        }
        return Money(amount: try order.decode(column: "total", as: Int.self), currency: try order.decode(column: "currency", as: String.self))
    }

    /// A provider event waiting to reach this store's webhook receiver, written with the payment.
    public struct PendingEvent: Sendable {
        public let id: String
        public let provider: String
        public let body: Data
        public let createdAt: Date

        public init(id: String, provider: String, body: Data, createdAt: Date = Date()) {
            self.id = id
            self.provider = provider
            self.body = body
            self.createdAt = createdAt
        }
    }

    /// Records a payment the provider has started.
    public func record(
        _ start: Start, amount: Money, id: String = Identifier.make("pay"), pendingEvent: PendingEvent? = nil, now: Date = Date()
    ) async throws -> Payment {
        let lock = rowLock
        return try await database.write { sql in
            try await Self.record(start, amount: amount, id: id, pendingEvent: pendingEvent, lock: lock, now: now, on: sql)
        }
    }

    /// Records a payment in the caller's transaction (with an idempotency key, say) and returns
    /// it. Checked again here, with the order row locked (SQLite's single writer serialises
    /// anyway): two payments racing for one order cannot both be under way.
    public static func record(
        _ start: Start, amount: Money, id: String, pendingEvent: PendingEvent?, lock: SQLQueryString, now: Date, on sql: any SQLDatabase
    ) async throws -> Payment {
        let action = try start.nextAction.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        if start.status != .failed {
            // The order may have changed while the provider was asked (staff edited its items):
            // a payment for another total is refused, and the caller gives the money back.
            let due = try await Self.payable(orderID: start.orderID, lock: lock, on: sql)
            guard due == amount else { throw Problem.conflict("The order's total changed while it was being paid; nothing was charged. Pay again.") }
        }
        try await sql.raw(
            """
            INSERT INTO payments (id, order_id, provider, status, amount, currency, provider_reference, card_brand, card_last4, next_action_json, failure_message, created_at, updated_at)
            VALUES (\(bind: id), \(bind: start.orderID), \(bind: start.provider), \(bind: start.status.rawValue), \(bind: amount.amount), \(bind: amount.currency),
                    \(bind: start.reference), \(bind: start.cardBrand), \(bind: start.cardLast4), \(bind: action), \(bind: start.failureMessage), \(bind: now.stamp), \(bind: now.stamp))
            """
        ).run()
        try await Self.log(paymentID: id, type: "started", status: start.status, amount: amount.amount, source: start.provider, now: now, on: sql)
        if start.status == .captured {
            // Captured at once (Stripe's automatic capture answered `succeeded`): the order is
            // paid in this transaction; the provider's later webhook changes nothing.
            try await sql.raw("UPDATE payments SET captured_amount = amount WHERE id = \(bind: id)").run()
            if try await Orders.transition(orderID: start.orderID, to: .paid, lock: lock, now: now, on: sql)?.changed == true {
                try await Orders.addEvent(orderID: start.orderID, type: "paid", message: "Paid by \(start.provider)", actor: nil, now: now, on: sql)
            }
        }
        if let pendingEvent { try await queue(pendingEvent, now: now, on: sql) }
        guard let payment = try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM payments WHERE id = \(bind: id)").first().map(Self.payment) else {
            throw Problem.notFound("The payment disappeared.")
        }
        return payment
    }

    static func queue(_ event: PendingEvent, now: Date, on sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO provider_outbox (id, provider, body, created_at)
            VALUES (\(bind: event.id), \(bind: event.provider), \(bind: String(decoding: event.body, as: UTF8.self)), \(bind: now.stamp))
            """
        ).run()
    }

    /// Queues a provider event on its own (the `test` provider's report after an extra step).
    public func queue(_ event: PendingEvent, now: Date = Date()) async throws {
        try await database.write { sql in try await Self.queue(event, now: now, on: sql) }
    }

    /// Provider events not yet applied, oldest first, created before `before`.
    public func pendingEvents(before: Date, limit: Int = 100) async throws -> [PendingEvent] {
        try await database.read { sql in
            try await sql.raw(
                "SELECT id, provider, body, created_at FROM provider_outbox WHERE created_at < \(bind: before.stamp) ORDER BY id LIMIT \(bind: limit)"
            ).all().map { row in
                PendingEvent(
                    id: try row.decode(column: "id", as: String.self), provider: try row.decode(column: "provider", as: String.self),
                    body: Data(try row.decode(column: "body", as: String.self).utf8),
                    createdAt: Timestamp.date(try row.decode(column: "created_at", as: String.self)) ?? Date())
            }
        }
    }

    /// Forgets a provider event once the receiver has applied it (or refused it for good).
    public func eventDelivered(id: String) async throws {
        try await database.write { sql in try await sql.raw("DELETE FROM provider_outbox WHERE id = \(bind: id)").run() }
    }

    /// What a refund of `amount` (all that is left when nil) would take from: checked before a
    /// provider is asked to refund, and again, atomically, by `refund`.
    public func refundable(
        orderID: String, amount: Int?
    ) async throws -> (paymentID: String, provider: String, reference: String, amount: Money, refundedBefore: Int) {
        if let amount, amount < 1 { throw Problem.invalid("amount", "must be at least 1") }
        return try await database.read { sql in
            guard try await sql.raw("SELECT id FROM orders WHERE id = \(bind: orderID)").first() != nil else {
                throw Problem.notFound("There is no order \(orderID.prefix(64)).")
            }
            guard
                let row = try await sql.raw(
                    """
                    SELECT id, provider, provider_reference, currency, captured_amount, refunded_amount FROM payments
                    WHERE order_id = \(bind: orderID) AND status IN ('captured', 'partially_refunded') ORDER BY id DESC LIMIT 1
                    """
                ).first()
            else {
                throw Problem.conflict("This order has no captured payment to refund.")
            }
            let captured = try row.decode(column: "captured_amount", as: Int.self)
            let refunded = try row.decode(column: "refunded_amount", as: Int.self)
            let wanted = amount ?? (captured - refunded)
            guard wanted <= captured - refunded, wanted > 0 else {
                throw Problem.invalid("amount", "must be at most \(captured - refunded), what is left of the \(captured) captured")
            }
            return (
                try row.decode(column: "id", as: String.self), try row.decode(column: "provider", as: String.self),
                try row.decode(column: "provider_reference", as: String.self),
                Money(amount: wanted, currency: try row.decode(column: "currency", as: String.self)), refunded
            )
        }
    }

    public func find(id: String) async throws -> Payment? {
        try await database.read { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM payments WHERE id = \(bind: id)").first().map(Self.payment)
        }
    }

    /// The order's payments, newest first.
    public func forOrder(_ orderID: String) async throws -> [Payment] {
        try await database.read { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM payments WHERE order_id = \(bind: orderID) ORDER BY id DESC LIMIT 20").all().map(
                Self.payment)
        }
    }

    /// The order's payment still under way (an extra step or an authorization), if any.
    public func live(orderID: String) async throws -> (paymentID: String, provider: String, reference: String)? {
        try await database.read { sql in
            guard
                let row = try await sql.raw(
                    """
                    SELECT id, provider, provider_reference FROM payments WHERE order_id = \(bind: orderID) AND status IN ('requires_action', 'authorized')
                    ORDER BY id DESC LIMIT 1
                    """
                ).first()
            else { return nil }
            return (
                try row.decode(column: "id", as: String.self), try row.decode(column: "provider", as: String.self),
                try row.decode(column: "provider_reference", as: String.self)
            )
        }
    }

    /// The reference a provider knows a payment by.
    public func reference(paymentID: String) async throws -> (provider: String, reference: String, status: PaymentStatus)? {
        try await database.read { sql in
            guard let row = try await sql.raw("SELECT provider, provider_reference, status FROM payments WHERE id = \(bind: paymentID)").first() else {
                return nil
            }
            return (
                try row.decode(column: "provider", as: String.self), try row.decode(column: "provider_reference", as: String.self),
                try PaymentStatus.stored(try row.decode(column: "status", as: String.self))
            )
        }
    }

    public enum Applied: Sendable, Equatable {
        /// The event moved the payment.
        case changed(PaymentStatus)
        /// The event was seen before (same id), or says nothing new; nothing changed.
        case ignored
        /// The provider captured a payment that was cancelled (with its order) or had failed
        /// here: the receiver refunds it with the provider.
        case capturedAfterCancel(paymentID: String, amount: Int)
    }

    /// Applies a verified provider event, once: the event id is recorded in the same transaction,
    /// a state can only move forward, a capture marks the order paid, a refund marks it refunded.
    public func apply(_ event: PaymentEvent, provider: String, now: Date = Date()) async throws -> Applied {
        let lock = rowLock
        return try await database.write { sql in
            // An event about a payment not recorded (yet) leaves no receipt, so that the
            // provider's retry, or a resend, is applied once the payment exists.
            guard
                let found = try await sql.raw(
                    """
                    SELECT order_id FROM payments WHERE provider = \(bind: provider) AND provider_reference = \(bind: event.reference)
                    """
                ).first()
            else { return .ignored }
            // The order's row first, as a cancel takes it (`cancelOrder`): the two are
            // serialised, and the payment read next is as the cancel left it.
            _ = try await sql.raw("SELECT id FROM orders WHERE id = \(bind: try found.decode(column: "order_id", as: String.self))" + lock).first()
            guard
                let row = try await sql.raw(
                    """
                    SELECT id, order_id, status, amount, captured_amount FROM payments WHERE provider = \(bind: provider) AND provider_reference = \(bind: event.reference)
                    """
                ).first()
            else { return .ignored }
            guard
                try await sql.raw(
                    """
                    INSERT INTO webhook_receipts (provider, event_id, received_at) VALUES (\(bind: provider), \(bind: event.id), \(bind: now.stamp))
                    ON CONFLICT (provider, event_id) DO NOTHING RETURNING event_id
                    """
                ).first() != nil
            else { return .ignored }
            let paymentID = try row.decode(column: "id", as: String.self)
            let orderID = try row.decode(column: "order_id", as: String.self)
            let current = try PaymentStatus.stored(try row.decode(column: "status", as: String.self))
            let amount = try row.decode(column: "amount", as: Int.self)
            let captured = try row.decode(column: "captured_amount", as: Int.self)

            guard let (next, refunded, failure) = Self.target(of: event.kind, captured: captured) else { return .ignored }
            guard current.canBecome(next) else {
                // The provider took the money after the payment was cancelled here with its
                // order (the cancel did not reach the provider in time), or after it was
                // recorded as failed (an old client secret confirmed again): it is given back.
                if current == .cancelled || current == .failed, next == .captured {
                    try await Self.log(
                        paymentID: paymentID, type: "captured_after_cancel", status: current, amount: amount, source: "webhook:\(event.id)", now: now, on: sql)
                    return .capturedAfterCancel(paymentID: paymentID, amount: amount)
                }
                return .ignored
            }
            let change = Change(paymentID: paymentID, orderID: orderID, next: next, amount: amount, captured: captured, refunded: refunded, failure: failure)
            guard try await Self.write(change, provider: provider, lock: lock, now: now, on: sql) else { return .ignored }
            try await Self.log(paymentID: paymentID, type: event.kindName, status: next, amount: refunded, source: "webhook:\(event.id)", now: now, on: sql)
            return .changed(next)
        }
    }

    /// Where an event takes a payment: its status, the refunded total, a failure's message; nil
    /// for a refund event of nothing.
    static func target(of kind: PaymentEvent.Kind, captured: Int) -> (PaymentStatus, Int?, String?)? {
        switch kind {
        case .succeeded: return (.captured, nil, nil)
        case .authorized: return (.authorized, nil, nil)
        case .failed(let message): return (.failed, nil, message)
        case .cancelled: return (.cancelled, nil, nil)
        case .refunded(let total):
            guard captured > 0, total > 0 else { return nil }
            let refunded = min(total, captured)
            return (refunded >= captured ? .refunded : .partiallyRefunded, refunded, nil)
        }
    }

    /// A payment's move that an event makes, as `apply` writes it.
    struct Change {
        let paymentID: String
        let orderID: String
        let next: PaymentStatus
        let amount: Int
        let captured: Int
        let refunded: Int?
        let failure: String?
    }

    /// Writes the payment's move and its order's (paid, refunded); false when a refund total
    /// would shrink (events may arrive out of order) and nothing was written.
    static func write(_ change: Change, provider: String, lock: SQLQueryString, now: Date, on sql: any SQLDatabase) async throws -> Bool {
        let (paymentID, orderID, next, amount, captured) = (change.paymentID, change.orderID, change.next, change.amount, change.captured)
        let failure = change.failure
        if let refunded = change.refunded {
            // A refund total never shrinks (events may arrive out of order).
            let updated = try await sql.raw(
                """
                UPDATE payments SET status = \(bind: next.rawValue), refunded_amount = \(bind: refunded), updated_at = \(bind: now.stamp)
                WHERE id = \(bind: paymentID) AND refunded_amount < \(bind: refunded) RETURNING id
                """
            ).first()
            guard updated != nil else { return false }
            _ = try await Orders.transition(
                orderID: orderID, to: next == .refunded ? .refunded : .partiallyRefunded, refundedTotal: refunded, lock: lock, now: now, on: sql)
            try await Orders.addEvent(orderID: orderID, type: "refunded", message: "Refunded \(refunded) of \(captured)", actor: nil, now: now, on: sql)
        } else {
            try await sql.raw(
                """
                UPDATE payments SET status = \(bind: next.rawValue), captured_amount = \(bind: next == .captured ? amount : captured),
                    failure_message = COALESCE(\(bind: failure), failure_message), next_action_json = NULL, updated_at = \(bind: now.stamp)
                WHERE id = \(bind: paymentID)
                """
            ).run()
            if next == .captured {
                if try await Orders.transition(orderID: orderID, to: .paid, lock: lock, now: now, on: sql)?.changed == true {
                    try await Orders.addEvent(orderID: orderID, type: "paid", message: "Paid by \(provider)", actor: nil, now: now, on: sql)
                }
            }
        }
        return true
    }

    /// Forgets that an event was received, so the provider's retry of it is applied again (a
    /// step after the event's transaction, such as a refund, did not happen).
    public func forgetReceipt(provider: String, eventID: String) async throws {
        try await database.write { sql in
            try await sql.raw("DELETE FROM webhook_receipts WHERE provider = \(bind: provider) AND event_id = \(bind: eventID)").run()
        }
    }

    /// The store's signing secret for a provider's webhooks, made on first use.
    public func webhookSecret(provider: String, now: Date = Date()) async throws -> String {
        if let secret = try await database.read({ sql in
            try await sql.raw("SELECT webhook_secret FROM payment_providers WHERE provider = \(bind: provider)").first()?.decode(
                column: "webhook_secret", as: String.self)
        }) {
            return secret
        }
        let fresh = "whsec_" + SecureToken.make()
        return try await database.write { sql in
            try await sql.raw(
                "INSERT INTO payment_providers (provider, webhook_secret, updated_at) VALUES (\(bind: provider), \(bind: fresh), \(bind: now.stamp)) ON CONFLICT (provider) DO NOTHING"
            ).run()
            return try await sql.raw("SELECT webhook_secret FROM payment_providers WHERE provider = \(bind: provider)").first()?.decode(
                column: "webhook_secret", as: String.self) ?? fresh
        }
    }

    /// Staff mark a pending order paid (bank transfer, cash on delivery, anything outside the
    /// platform): the order and a captured `manual` payment change together, so that refunds
    /// work the same for every order. 404 for no order, 409 unless it is pending.
    public func markPaidManually(orderID: String, actor: String, now: Date = Date()) async throws {
        let lock = rowLock
        try await database.write { sql in
            guard let moved = try await Orders.transition(orderID: orderID, to: .paid, lock: lock, now: now, on: sql) else {
                throw Problem.notFound("There is no order \(orderID.prefix(64)).")
            }
            guard moved.changed else { throw Problem.conflict("An order that is \(moved.from.rawValue) cannot become paid.") }
            // A card payment under way would be counted twice once it completes.
            if try await sql.raw("SELECT id FROM payments WHERE order_id = \(bind: orderID) AND status IN ('requires_action', 'authorized')").first() != nil {
                throw Problem.conflict("A card payment for this order is under way: cancel the order or wait for the payment.")
            }
            guard let order = try await sql.raw("SELECT total, currency, payment_method FROM orders WHERE id = \(bind: orderID)").first() else {
                throw Problem.notFound("There is no order \(orderID.prefix(64)).")
            }
            let total = try order.decode(column: "total", as: Int.self)
            let method = try order.decode(column: "payment_method", as: String.self)
            let paymentID = Identifier.make("pay", date: now)
            try await sql.raw(
                """
                INSERT INTO payments (id, order_id, provider, status, amount, currency, captured_amount, provider_reference, created_at, updated_at)
                VALUES (\(bind: paymentID), \(bind: orderID), 'manual', 'captured', \(bind: total), \(bind: try order.decode(column: "currency", as: String.self)),
                        \(bind: total), \(bind: "manual_" + paymentID), \(bind: now.stamp), \(bind: now.stamp))
                """
            ).run()
            try await Self.log(paymentID: paymentID, type: "marked_paid", status: .captured, amount: total, source: actor, now: now, on: sql)
            let how = method == "card" ? "outside the platform" : method.replacingOccurrences(of: "_", with: " ")
            try await Orders.addEvent(orderID: orderID, type: "paid", message: "Marked as paid (\(how))", actor: actor, now: now, on: sql)
            try await AuditLog.record(actor: actor, action: "order.marked_paid", subject: orderID, summary: "Marked paid (\(how)): \(total)", now: now, on: sql)
        }
    }

    public struct Refund: Sendable, Encodable {
        public let amount: Money
        public let refundedTotal: Money
        public let restocked: Bool
        public let payment: Payment
        let provider: String
        let reference: String

        enum CodingKeys: String, CodingKey { case amount, refundedTotal, restocked, payment }
    }

    /// Refunds part or all of an order's captured payment. The bound (never more than captured
    /// in total) is one conditional update, so concurrent refunds cannot together exceed it; the
    /// payment and the order change in the same transaction. A provider's later `charge.refunded`
    /// for the same total changes nothing.
    ///
    /// `refundedBefore`, when the provider was asked first, is what was refunded when it was
    /// asked: the refund is recorded only on top of exactly that, so two identical requests
    /// racing (one refund at the provider, same idempotency key) are recorded once, and a
    /// provider event that recorded it first is not added again.
    public func refund(orderID: String, amount: Int?, restock: Bool, actor: String, refundedBefore: Int? = nil, now: Date = Date()) async throws -> Refund {
        if let amount, amount < 1 { throw Problem.invalid("amount", "must be at least 1") }
        let lock = rowLock
        let (paymentID, refunded, total, restocked, provider, reference) = try await database.write { sql in
            // The order's row first, as `apply` and `cancelOrder` take it: one lock order, no deadlock.
            guard try await sql.raw("SELECT id FROM orders WHERE id = \(bind: orderID)" + lock).first() != nil else {
                throw Problem.notFound("There is no order \(orderID.prefix(64)).")
            }
            // After a provider refund, its event may have made the payment `refunded` already.
            let refundable: SQLQueryString = refundedBefore == nil ? "('captured', 'partially_refunded')" : "('captured', 'partially_refunded', 'refunded')"
            guard
                let row = try await sql.raw(
                    """
                    SELECT id, provider, provider_reference, captured_amount, refunded_amount FROM payments
                    WHERE order_id = \(bind: orderID) AND status IN \(refundable) ORDER BY id DESC LIMIT 1
                    """
                ).first()
            else {
                throw Problem.conflict("This order has no captured payment to refund.")
            }
            let paymentID = try row.decode(column: "id", as: String.self)
            let captured = try row.decode(column: "captured_amount", as: Int.self)
            let left = captured - (try row.decode(column: "refunded_amount", as: Int.self))
            let wanted = amount ?? left
            let provider = try row.decode(column: "provider", as: String.self)
            let reference = try row.decode(column: "provider_reference", as: String.self)
            // With `refundedBefore`, the update applies only on top of exactly that total (checked
            // by the update itself, so a concurrent twin cannot pass it too).
            let onTop: SQLQueryString = refundedBefore.map { " AND refunded_amount = \(bind: $0)" } ?? ""
            guard wanted <= left || refundedBefore != nil,
                let updated = try await sql.raw(
                    """
                    UPDATE payments SET refunded_amount = refunded_amount + \(bind: wanted),
                        status = CASE WHEN refunded_amount + \(bind: wanted) >= captured_amount THEN 'refunded' ELSE 'partially_refunded' END,
                        updated_at = \(bind: now.stamp)
                    WHERE id = \(bind: paymentID) AND refunded_amount + \(bind: wanted) <= captured_amount
                    """ + onTop + " RETURNING refunded_amount, status"
                ).first()
            else {
                if let refundedBefore {
                    let current =
                        try await sql.raw("SELECT refunded_amount FROM payments WHERE id = \(bind: paymentID)").first()?.decode(
                            column: "refunded_amount", as: Int.self) ?? 0
                    if current >= refundedBefore + wanted {
                        // Recorded already: by the provider's event, or by a twin request with
                        // the same idempotency key (one refund at the provider).
                        let restocked =
                            restock ? try await Inventory.returnStock(orderID: orderID, reason: "order_refunded", actor: actor, now: now, on: sql) : false
                        try await AuditLog.record(
                            actor: actor, action: "refund.created", subject: orderID, summary: "Refunded \(wanted) (recorded from the provider first)",
                            now: now, on: sql)
                        return (paymentID, wanted, current, restocked, provider, reference)
                    }
                    throw Problem.conflict("Another refund of this order was recorded meanwhile; reload the order and try again.")
                }
                throw Problem.invalid("amount", "must be at most \(left), what is left of the \(captured) captured")
            }
            let total = try updated.decode(column: "refunded_amount", as: Int.self)
            let status = try updated.decode(column: "status", as: String.self)
            _ = try await Orders.transition(
                orderID: orderID, to: status == "refunded" ? .refunded : .partiallyRefunded, refundedTotal: total, lock: lock, now: now, on: sql)
            try await Orders.addEvent(
                orderID: orderID, type: "refunded", message: "Refunded \(wanted) (\(total) of \(captured) in all)", actor: actor, now: now, on: sql)
            try await AuditLog.record(
                actor: actor, action: "refund.created", subject: orderID, summary: "Refunded \(wanted) (\(total) of \(captured) in all)", now: now, on: sql)
            try await Self.log(
                paymentID: paymentID, type: "refunded", status: try PaymentStatus.stored(status), amount: wanted, source: actor, now: now,
                on: sql)
            let restocked = restock ? try await Inventory.returnStock(orderID: orderID, reason: "order_refunded", actor: actor, now: now, on: sql) : false
            return (paymentID, wanted, total, restocked, provider, reference)
        }
        guard let payment = try await find(id: paymentID) else { throw Problem.notFound("The payment disappeared.") }
        return Refund(
            amount: Money(amount: refunded, currency: payment.amount.currency), refundedTotal: Money(amount: total, currency: payment.amount.currency),
            restocked: restocked, payment: payment, provider: provider, reference: reference)
    }

    static func log(paymentID: String, type: String, status: PaymentStatus, amount: Int?, source: String, now: Date, on sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO payment_events (id, payment_id, type, status_after, amount, source, created_at)
            VALUES (\(bind: Identifier.make("pev", date: now)), \(bind: paymentID), \(bind: type), \(bind: status.rawValue), \(bind: amount), \(bind: source), \(bind: now.stamp))
            """
        ).run()
    }

    static func payment(_ row: any SQLRow) throws -> Payment {
        let currency = try row.decode(column: "currency", as: String.self)
        return Payment(
            id: try row.decode(column: "id", as: String.self),
            orderId: try row.decode(column: "order_id", as: String.self),
            provider: try row.decode(column: "provider", as: String.self),
            status: try PaymentStatus.stored(try row.decode(column: "status", as: String.self)),
            amount: Money(amount: try row.decode(column: "amount", as: Int.self), currency: currency),
            captured: Money(amount: try row.decode(column: "captured_amount", as: Int.self), currency: currency),
            refunded: Money(amount: try row.decode(column: "refunded_amount", as: Int.self), currency: currency),
            cardBrand: try row.decode(column: "card_brand", as: String?.self),
            cardLast4: try row.decode(column: "card_last4", as: String?.self),
            nextAction: try row.decode(column: "next_action_json", as: String?.self).flatMap {
                try? JSONDecoder().decode(Payment.NextAction.self, from: Data($0.utf8))
            },
            failureMessage: try row.decode(column: "failure_message", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: String.self)
        )
    }
}

extension PaymentEvent {
    var kindName: String {
        switch kind {
        case .succeeded: return "succeeded"
        case .authorized: return "authorized"
        case .failed: return "failed"
        case .cancelled: return "cancelled"
        case .refunded: return "refunded"
        }
    }
}
