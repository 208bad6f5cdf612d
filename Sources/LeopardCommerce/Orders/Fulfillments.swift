import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Shipping an order, line by line, in as many shipments as it takes. Each shipment mails the
/// shopper its tracking; the order is `partially_fulfilled` until every line has shipped, then
/// `fulfilled`. The bound (never more shipped than ordered) is each line's conditional update,
/// so two shipments racing cannot ship an item twice.
public struct Fulfillments: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public func create(orderID: String, _ input: FulfillmentInput, actor: String, now: Date = Date()) async throws -> Fulfillment {
        let tracking = try input.tracking()
        let requested = try input.lines.map { try $0.checked() }
        let lock = database.rowLock
        return try await database.write { sql in
            let (email, remaining) = try await Self.shippable(orderID: orderID, lock: lock, on: sql)
            let lines = try Self.choose(requested, remaining: remaining)
            for line in lines {
                guard
                    try await sql.raw(
                        """
                        UPDATE order_lines SET fulfilled_quantity = fulfilled_quantity + \(bind: line.quantity)
                        WHERE id = \(bind: line.lineId) AND order_id = \(bind: orderID) AND fulfilled_quantity + \(bind: line.quantity) <= quantity
                        RETURNING id
                        """
                    ).first() != nil
                else { throw Problem.conflict("Another shipment of this order was recorded meanwhile; reload the order and try again.") }
            }
            let fulfillment = Fulfillment(
                id: Identifier.make("ful", date: now), lines: lines, carrier: tracking.carrier, trackingNumber: tracking.number, trackingUrl: tracking.url,
                createdBy: actor, createdAt: now.stamp)
            try await Self.insert(fulfillment, orderID: orderID, on: sql)
            try await Self.announce(
                fulfillment, orderID: orderID, email: email, complete: remaining.values.reduce(0, +) == lines.map(\.quantity).reduce(0, +),
                lock: lock, now: now, on: sql)
            return fulfillment
        }
    }

    /// The order's address and what is left to ship per line, or why it cannot ship: 404 for no
    /// such order, 409 unless it is paid (or partly refunded) and not fully shipped.
    static func shippable(orderID: String, lock: SQLQueryString, on sql: any SQLDatabase) async throws -> (String, [String: Int]) {
        guard let row = try await sql.raw("SELECT status, email, expired_at FROM orders WHERE id = \(bind: orderID)" + lock).first() else {
            throw Problem.notFound("There is no order \(orderID.prefix(64)).")
        }
        let status = try OrderStatus.stored(try row.decode(column: "status", as: String.self))
        guard status == .paid || status == .partiallyRefunded else {
            let shown = try row.decode(column: "expired_at", as: String?.self) == nil ? status : .expired
            throw Problem.conflict("An order that is \(shown.rawValue) cannot be shipped" + (status == .pending ? " until it is paid." : "."))
        }
        let remaining = try await Self.remaining(orderID: orderID, on: sql)
        guard remaining.values.contains(where: { $0 > 0 }) else { throw Problem.conflict("Everything in this order has shipped already.") }
        return (try row.decode(column: "email", as: String.self), remaining)
    }

    /// The lines asked for, each within what is left of it; none asked for: all that is left.
    static func choose(_ requested: [Fulfillment.Line]?, remaining: [String: Int]) throws -> [Fulfillment.Line] {
        guard let requested else {
            return remaining.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { Fulfillment.Line(lineId: $0.key, quantity: $0.value) }
        }
        var errors: [Problem.FieldError] = []
        for (index, line) in requested.enumerated() {
            guard let left = remaining[line.lineId] else {
                errors.append(.init(field: "lines.\(index).lineId", message: "is not a line of this order"))
                continue
            }
            if line.quantity > left { errors.append(.init(field: "lines.\(index).quantity", message: "must be at most \(left), what is left to ship")) }
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return requested
    }

    static func insert(_ fulfillment: Fulfillment, orderID: String, on sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO fulfillments (id, order_id, carrier, tracking_number, tracking_url, created_by, created_at)
            VALUES (\(bind: fulfillment.id), \(bind: orderID), \(bind: fulfillment.carrier), \(bind: fulfillment.trackingNumber),
                    \(bind: fulfillment.trackingUrl), \(bind: fulfillment.createdBy), \(bind: fulfillment.createdAt))
            """
        ).run()
        for line in fulfillment.lines {
            try await sql.raw(
                """
                INSERT INTO fulfillment_lines (fulfillment_id, order_line_id, quantity)
                VALUES (\(bind: fulfillment.id), \(bind: line.lineId), \(bind: line.quantity))
                """
            ).run()
        }
    }

    /// The order's new fulfilment status, its timeline, webhook, the shopper's mail and the audit log.
    static func announce(
        _ fulfillment: Fulfillment, orderID: String, email: String, complete: Bool, lock: SQLQueryString, now: Date, on sql: any SQLDatabase
    ) async throws {
        try await sql.raw(
            "UPDATE orders SET fulfillment_status = \(bind: complete ? "fulfilled" : "partial"), updated_at = \(bind: now.stamp) WHERE id = \(bind: orderID)"
        ).run()
        let items = fulfillment.lines.map(\.quantity).reduce(0, +)
        let via = [fulfillment.carrier, fulfillment.trackingNumber].compactMap { $0 }.joined(separator: " ")
        let message = "Shipped \(items) item\(items == 1 ? "" : "s")" + (via.isEmpty ? "" : " (\(via))") + (complete ? "; everything has shipped" : "")
        try await Orders.addEvent(
            orderID: orderID, type: complete ? "fulfilled" : "partially_fulfilled", message: message, actor: fulfillment.createdBy, now: now, on: sql)
        if complete {
            _ = try await Orders.transition(orderID: orderID, to: .fulfilled, lock: lock, now: now, on: sql)
        } else {
            try await Outbox.publishOrder(.orderPartiallyFulfilled, orderID: orderID, now: now, on: sql)
        }
        try await MailQueue.enqueue(.orderShipped, to: email, objectID: fulfillment.id, now: now, on: sql)
        try await AuditLog.record(actor: fulfillment.createdBy, action: "fulfillment.created", subject: orderID, summary: message, now: now, on: sql)
    }

    /// Checks a shipment's lines against what is left to ship, without changing anything: run
    /// before a card is captured, so a wrong line or quantity takes no money.
    public func check(orderID: String, _ input: FulfillmentInput) async throws {
        _ = try input.tracking()
        let requested = try input.lines.map { try $0.checked() }
        let remaining = try await database.read { sql in try await Self.remaining(orderID: orderID, on: sql) }
        guard !remaining.isEmpty else { throw Problem.notFound("There is no order \(orderID.prefix(64)).") }
        _ = try Self.choose(requested, remaining: remaining)
    }

    /// What is left to ship of each of the order's lines.
    static func remaining(orderID: String, on sql: any SQLDatabase) async throws -> [String: Int] {
        var remaining: [String: Int] = [:]
        for line in try await sql.raw("SELECT id, quantity, fulfilled_quantity FROM order_lines WHERE order_id = \(bind: orderID)").all() {
            remaining[try line.decode(column: "id", as: String.self)] =
                try line.decode(column: "quantity", as: Int.self) - line.decode(column: "fulfilled_quantity", as: Int.self)
        }
        return remaining
    }

    /// The order a shipment belongs to.
    public func orderID(fulfillmentID: String) async throws -> String? {
        try await database.read { sql in
            try await sql.raw("SELECT order_id FROM fulfillments WHERE id = \(bind: fulfillmentID)").first()?.decode(column: "order_id", as: String.self)
        }
    }
}
