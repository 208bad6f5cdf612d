import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Orders of one store: reading, listing and the state changes staff make. Checkout creates them.
public struct Orders: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public struct Filter: Sendable {
        public var status: OrderStatus?
        public var customerID: String?
        public var email: String?
        /// The orders a customer's own account shows (see `Orders.accountRule`).
        public var account: String?

        public init(status: OrderStatus? = nil, customerID: String? = nil, email: String? = nil, account: String? = nil) {
            self.status = status
            self.customerID = customerID
            self.email = email
            self.account = account
        }
    }

    /// Which of a customer's orders their account shows: those placed while signed in, and
    /// those placed as a guest with their address up to when they verified it. An order placed
    /// by anyone else with their address since (or before they proved the address is theirs)
    /// stays out, so no account reads a stranger's order by registering its address.
    static func accountRule(_ customerID: String) -> SQLQueryString {
        """
        customer_id = \(bind: customerID) AND (placed_signed_in = 1
            OR created_at <= COALESCE((SELECT email_verified_at FROM customers WHERE id = \(bind: customerID)), ''))
        """
    }

    /// An order for whoever may read it: staff; the customer whose account shows it; or the
    /// shopper holding the secret of the cart it came from (a guest's confirmation). Anyone
    /// else gets the 404 an unknown order gets.
    public func readable(id: String, byStaff: Bool, customerID: String?, cartSecret: String?) async throws -> Order {
        let missing = Problem.notFound("There is no order \(id.prefix(64)).")
        guard id.utf8.count <= 64, var order = try await find(id: id) else { throw missing }
        if byStaff { return order }
        // Staff notes are for staff: the shopper's copy of the timeline leaves them out.
        order.events = order.events?.filter { $0.type != Self.noteEvent }
        if let customerID, try await isInAccount(orderID: id, customerID: customerID) { return order }
        if let cartSecret, try await cartSecretMatches(orderID: id, secret: cartSecret) { return order }
        throw missing
    }

    /// Whether an order shows in a customer's account (and so is theirs to read).
    public func isInAccount(orderID: String, customerID: String) async throws -> Bool {
        try await database.read { sql in
            try await sql.raw("SELECT id FROM orders WHERE id = \(bind: orderID) AND " + Self.accountRule(customerID)).first() != nil
        }
    }

    public func find(id: String) async throws -> Order? {
        try await database.read { sql in try await OrderReader(sql: sql).orders(ids: [id], withEvents: true).first }
    }

    /// Several orders in the statements one takes (a mail batch's orders); missing ids are left out.
    public func find(ids: [String]) async throws -> [Order] {
        guard !ids.isEmpty else { return [] }
        return try await database.read { sql in try await OrderReader(sql: sql).orders(ids: ids, withEvents: true) }
    }

    /// Whether `secret` is the secret of the cart an order came from: how a guest shopper
    /// reaches their own order. One read; no cart is built.
    public func cartSecretMatches(orderID: String, secret: String) async throws -> Bool {
        guard
            let digest = try await database.read({ sql in
                try await sql.raw("SELECT c.secret_sha256 FROM orders o JOIN carts c ON c.id = o.cart_id WHERE o.id = \(bind: orderID)")
                    .first()?.decode(column: "secret_sha256", as: String.self)
            })
        else { return false }
        return TokenDigest.matches(secret, digest: digest)
    }

    /// Newest first.
    public func list(_ filter: Filter, page: PageRequest) async throws -> Page<Order> {
        try await database.read { sql in
            var clauses: [SQLQueryString] = []
            if let status = filter.status {
                clauses.append(Self.statusRule(status))
            }
            if let customer = filter.customerID { clauses.append("customer_id = \(bind: customer)") }
            if let email = filter.email { clauses.append("email = \(bind: email.lowercased())") }
            if let account = filter.account { clauses.append(Self.accountRule(account)) }
            if let after = page.after { clauses.append("id < \(bind: after)") }
            var statement: SQLQueryString = "SELECT id FROM orders"
            if !clauses.isEmpty { statement += " WHERE " + clauses.joined(separator: " AND ") }
            statement += " ORDER BY id DESC LIMIT \(bind: page.limit + 1)"
            let ids = try await sql.raw(statement).all().map { try $0.decode(column: "id", as: String.self) }
            let orders = try await OrderReader(sql: sql).orders(ids: Array(ids.prefix(page.limit)), withEvents: false)
            return Page(data: orders, nextCursor: ids.count > page.limit ? orders.last.map { Cursor.encode($0.id) } : nil)
        }
    }

    /// The timeline's type for a staff member's internal note.
    public static let noteEvent = "note"

    /// Adds an internal note to an order's timeline (1 to 2,000 characters); staff only read it.
    public func addNote(orderID: String, text: String, actor: String, now: Date = Date()) async throws -> OrderEvent {
        let text = text.trimmingWhitespace()
        guard !text.isEmpty, text.count <= 2000, !text.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw Problem.invalid("text", "must be 1 to 2000 characters")
        }
        return try await database.write { sql in
            guard try await sql.raw("SELECT id FROM orders WHERE id = \(bind: orderID)").first() != nil else {
                throw Problem.notFound("There is no order \(orderID.prefix(64)).")
            }
            return try await Self.addEvent(orderID: orderID, type: Self.noteEvent, message: text, actor: actor, now: now, on: sql)
        }
    }

    /// The orders that show `status` (see `OrderStatus.shown`).
    static func statusRule(_ status: OrderStatus) -> SQLQueryString {
        switch status {
        case .expired: return "status = 'cancelled' AND expired_at IS NOT NULL"
        case .cancelled: return "status = 'cancelled' AND expired_at IS NULL"
        case .returned: return "return_status = 'returned'"
        case .partiallyReturned: return "return_status = 'partial'"
        case .partiallyFulfilled: return "status = 'paid' AND fulfillment_status = 'partial' AND return_status IS NULL"
        case .paid: return "status = 'paid' AND fulfillment_status <> 'partial' AND return_status IS NULL"
        default: return "status = \(bind: status.rawValue) AND return_status IS NULL"
        }
    }

    /// Moves an order along the allowed transitions (409 otherwise), records the event, and
    /// runs `sideEffects` in the same transaction.
    func move(
        id: String, to next: OrderStatus, event: String, message: String, actor: String, now: Date,
        sideEffects: @escaping @Sendable (any SQLDatabase) async throws -> Void = { _ in }
    ) async throws -> Order {
        let lock = database.rowLock
        try await database.write { sql in
            guard let moved = try await Self.transition(orderID: id, to: next, lock: lock, now: now, on: sql) else {
                throw Problem.notFound("There is no order \(id.prefix(64)).")
            }
            guard moved.changed else {
                throw Problem.conflict("An order that is \(moved.from.rawValue) cannot become \(next.rawValue).")
            }
            try await Self.addEvent(orderID: id, type: event, message: message, actor: actor, now: now, on: sql)
            try await sideEffects(sql)
            if next == .cancelled || next == .expired { try await DiscountRules.release(orderID: id, now: now, on: sql) }
        }
        guard let order = try await find(id: id) else { throw Problem.notFound("There is no order \(id.prefix(64)).") }
        return order
    }

    /// Moves an order to `next` in the caller's transaction when the transition table allows it
    /// (the one place order statuses change, and so the one that announces `order.*` events), setting `refundedTotal` when given. Returns the
    /// status it had and whether it changed, or nil when there is no such order. `lock` is
    /// ` FOR UPDATE` on PostgreSQL.
    public static func transition(
        orderID: String, to next: OrderStatus, refundedTotal: Int? = nil, lock: SQLQueryString, now: Date,
        on sql: any SQLDatabase
    ) async throws -> (from: OrderStatus, changed: Bool)? {
        guard let row = try await sql.raw("SELECT status, refunded_total FROM orders WHERE id = \(bind: orderID)" + lock).first() else { return nil }
        let current = try OrderStatus.stored(try row.decode(column: "status", as: String.self))
        guard current.canMove(to: next) else { return (current, false) }
        // The sales ledger: a cancelled order stops counting where it was placed; a refund
        // counts now, by what it adds to the order's refunded total.
        if next == .cancelled || next == .expired, let placed = try await SalesLedger.placed(orderID: orderID, on: sql) {
            try await SalesLedger.record(SalesLedger.Change() - placed.change, at: placed.at, on: sql)
        }
        if let refundedTotal {
            let more = refundedTotal - (try row.decode(column: "refunded_total", as: Int.self))
            if more != 0 { try await SalesLedger.record(.init(refunds: more), at: now, on: sql) }
        }
        try await sql.raw(
            """
            UPDATE orders SET status = \(bind: next == .expired ? OrderStatus.cancelled.rawValue : next.rawValue),
                refunded_total = COALESCE(\(bind: refundedTotal), refunded_total), updated_at = \(bind: now.stamp),
                expired_at = \(bind: next == .expired ? now.stamp : nil)
            WHERE id = \(bind: orderID)
            """
        ).run()
        if let topic = WebhookTopic.order(movedTo: next) {
            try await Outbox.publishOrder(topic, orderID: orderID, now: now, on: sql)
        }
        try await MailQueue.orderMoved(orderID: orderID, to: next, now: now, on: sql)
        // The discount uses a cancelled order made are given back by the caller, after its
        // stock: every transaction takes variant rows before discount rows (as checkout does),
        // so none waits for another in a cycle.
        return (current, true)
    }

    /// Adds a step to an order's timeline, in the caller's transaction.
    @discardableResult
    public static func addEvent(orderID: String, type: String, message: String, actor: String?, now: Date, on sql: any SQLDatabase) async throws -> OrderEvent {
        let event = OrderEvent(id: Identifier.make("evt", date: now), type: type, message: message, actor: actor, createdAt: now.stamp)
        try await sql.raw(
            """
            INSERT INTO order_events (id, order_id, type, message, actor, created_at)
            VALUES (\(bind: event.id), \(bind: orderID), \(bind: type), \(bind: message), \(bind: actor), \(bind: event.createdAt))
            """
        ).run()
        return event
    }
}

/// Reads orders with their lines (and timeline) in three queries.
struct OrderReader {
    let sql: any SQLDatabase

    func orders(ids: [String], withEvents: Bool) async throws -> [Order] {
        guard !ids.isEmpty else { return [] }
        let rows = try await sql.raw(
            """
            SELECT id, number, cart_id, customer_id, email, status, currency, subtotal, shipping, tax, total, refunded_total,
                   shipping_address_json, billing_address_json, payment_method, created_at, updated_at,
                   discount_total, shipping_method, tax_lines_json, discounts_json, prices_include_tax, expires_at, expired_at,
                   fulfillment_status, return_status
            FROM orders WHERE id IN (\(binds: ids))
            """
        ).all()
        let lines = try await lines(ids: ids)
        let events = withEvents ? try await events(ids: ids) : [:]
        let shipments = try await OrderAftercareReader(sql: sql).fulfillments(orderIDs: ids)
        let returns = try await OrderAftercareReader(sql: sql).returns(orderIDs: ids)
        var byID: [String: Order] = [:]
        for row in rows {
            let id = try row.decode(column: "id", as: String.self)
            let currency = try row.decode(column: "currency", as: String.self)
            func money(_ column: String) throws -> Money { Money(amount: try row.decode(column: column, as: Int.self), currency: currency) }
            let number = try row.decode(column: "number", as: Int.self)
            byID[id] = Order(
                id: id,
                number: number,
                name: "#\(number)",
                status: try row.decode(column: "expired_at", as: String?.self) != nil
                    ? .expired
                    : OrderStatus.shown(
                        stored: try OrderStatus.stored(try row.decode(column: "status", as: String.self)),
                        fulfillment: try row.decode(column: "fulfillment_status", as: String.self),
                        returns: try row.decode(column: "return_status", as: String?.self)),
                email: try row.decode(column: "email", as: String.self),
                customerId: try row.decode(column: "customer_id", as: String?.self),
                currency: currency,
                lines: (lines[id] ?? []).map { line in
                    var line = line
                    line.unitPrice.currency = currency
                    line.total.currency = currency
                    line.discount.currency = currency
                    line.tax.currency = currency
                    return line
                },
                subtotal: try money("subtotal"),
                shipping: try money("shipping"),
                tax: try money("tax"),
                total: try money("total"),
                refundedTotal: try money("refunded_total"),
                discount: try money("discount_total"),
                totals: Totals(
                    subtotal: try money("subtotal"), discount: try money("discount_total"), shipping: try money("shipping"), tax: try money("tax"),
                    total: try money("total")),
                shippingMethod: try row.decode(column: "shipping_method", as: String?.self),
                taxLines: try JSONText.decode([TaxLine].self, from: try row.decode(column: "tax_lines_json", as: String.self)),
                discounts: try JSONText.decode([AppliedDiscount].self, from: try row.decode(column: "discounts_json", as: String.self)),
                pricesIncludeTax: try row.decode(column: "prices_include_tax", as: Int.self) != 0,
                shippingAddress: try JSONText.decode(Address.self, from: try row.decode(column: "shipping_address_json", as: String.self)),
                billingAddress: try row.decode(column: "billing_address_json", as: String?.self).map { try JSONText.decode(Address.self, from: $0) },
                paymentMethod: try row.decode(column: "payment_method", as: String.self),
                expiresAt: try row.decode(column: "expires_at", as: String?.self),
                cartId: try row.decode(column: "cart_id", as: String?.self),
                createdAt: try row.decode(column: "created_at", as: String.self),
                updatedAt: try row.decode(column: "updated_at", as: String.self),
                events: withEvents ? events[id] ?? [] : nil,
                fulfillmentStatus: try row.decode(column: "fulfillment_status", as: String.self),
                fulfillments: shipments[id] ?? [],
                returns: (returns[id] ?? []).map { aReturn in
                    var aReturn = aReturn
                    aReturn.amount.currency = currency
                    aReturn.refundedAmount.currency = currency
                    return aReturn
                }
            )
        }
        return ids.compactMap { byID[$0] }
    }

    /// Each order's lines, in their order (prices in the order's currency once it is known).
    func lines(ids: [String]) async throws -> [String: [OrderLine]] {
        let lineRows = try await sql.raw(
            """
            SELECT id, order_id, product_id, variant_id, title, variant_title, sku, unit_price, quantity, line_total, discount, tax,
                   fulfilled_quantity, returned_quantity, custom
            FROM order_lines WHERE order_id IN (\(binds: ids)) ORDER BY order_id, position
            """
        ).all()
        var lines: [String: [OrderLine]] = [:]
        for row in lineRows {
            let orderID = try row.decode(column: "order_id", as: String.self)
            let line = OrderLine(
                id: try row.decode(column: "id", as: String.self),
                productId: try row.decode(column: "product_id", as: String.self),
                variantId: try row.decode(column: "variant_id", as: String.self),
                title: try row.decode(column: "title", as: String.self),
                variantTitle: try row.decode(column: "variant_title", as: String?.self),
                sku: try row.decode(column: "sku", as: String?.self),
                unitPrice: Money(amount: try row.decode(column: "unit_price", as: Int.self), currency: ""),
                quantity: try row.decode(column: "quantity", as: Int.self),
                total: Money(amount: try row.decode(column: "line_total", as: Int.self), currency: ""),
                discount: Money(amount: try row.decode(column: "discount", as: Int.self), currency: ""),
                tax: Money(amount: try row.decode(column: "tax", as: Int.self), currency: ""),
                fulfilledQuantity: try row.decode(column: "fulfilled_quantity", as: Int.self),
                returnedQuantity: try row.decode(column: "returned_quantity", as: Int.self),
                custom: try row.decode(column: "custom", as: Int.self) != 0
            )
            lines[orderID, default: []].append(line)
        }
        return lines
    }

    /// Each order's timeline, oldest first.
    func events(ids: [String]) async throws -> [String: [OrderEvent]] {
        var events: [String: [OrderEvent]] = [:]
        let eventRows = try await sql.raw(
            "SELECT id, order_id, type, message, actor, created_at FROM order_events WHERE order_id IN (\(binds: ids)) ORDER BY id"
        ).all()
        for row in eventRows {
            events[try row.decode(column: "order_id", as: String.self), default: []].append(
                OrderEvent(
                    id: try row.decode(column: "id", as: String.self),
                    type: try row.decode(column: "type", as: String.self),
                    message: try row.decode(column: "message", as: String.self),
                    actor: try row.decode(column: "actor", as: String?.self),
                    createdAt: try row.decode(column: "created_at", as: String.self)
                ))
        }
        return events
    }
}
