import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Turns a cart into an order in one transaction: prices snapshotted on every line, stock taken
/// with quantities summed per variant (locked in id order on PostgreSQL; SQLite's single writer
/// already serialises), an order number per store, the cart marked completed.
public struct Checkout: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public struct Input: Decodable, Sendable {
        public var email: String
        public var shippingAddress: Address
        public var billingAddress: Address?
        /// `card` (default), or a manual method: `bank_transfer`, `cash_on_delivery`.
        public var paymentMethod: String?

        public init(email: String, shippingAddress: Address, billingAddress: Address? = nil, paymentMethod: String? = nil) {
            self.email = email
            self.shippingAddress = shippingAddress
            self.billingAddress = billingAddress
            self.paymentMethod = paymentMethod
        }
    }

    public static let paymentMethods = ["card", "bank_transfer", "cash_on_delivery"]

    public struct Result: Sendable {
        public let order: Order
        /// False when the cart was checked out before and this is its existing order.
        public let created: Bool
    }

    /// Checks the input before any database work: a 422 with every bad field.
    public static func validate(_ input: Input) throws(Problem) -> (email: String, shipping: Address, billing: Address?) {
        var errors: [Problem.FieldError] = []
        if let method = input.paymentMethod, !paymentMethods.contains(method) {
            errors.append(.init(field: "paymentMethod", message: "must be one of " + paymentMethods.joined(separator: ", ")))
        }
        let email = EmailAddress(input.email)
        if email == nil { errors.append(.init(field: "email", message: "must be an e-mail address")) }
        let (shipping, shippingErrors) = input.shippingAddress.validated(field: "shippingAddress")
        errors += shippingErrors
        var billing: Address?
        if let address = input.billingAddress {
            let (checked, billingErrors) = address.validated(field: "billingAddress")
            billing = checked
            errors += billingErrors
        }
        guard errors.isEmpty, let email else { throw Problem.validation(errors) }
        return (email.value, shipping, billing)
    }

    /// Runs inside the caller's write transaction (so that an idempotency key is stored with it).
    /// Every statement here holds the store's writer, so the work is done in as few as it takes:
    /// one to claim the order number and read the store's terms, a conditional update per
    /// variant (no separate stock read), an upsert for the guest customer, and the order is
    /// built from what was written instead of being read back.
    public func complete(cartID: String, access: CartAccess, input: Input, customerID: String?, cardProvider: String = "test", now: Date = Date(),
                         on sql: any SQLDatabase) async throws -> Result {
        let (email, shipping, billing) = try Self.validate(input)
        let method = input.paymentMethod ?? "card"
        let orderID = Identifier.make("ord", date: now)
        let stamp = now.stamp

        // Claim the cart first, in the statement that marks it checked out (and locks it on
        // PostgreSQL); the secret is checked on what it returns, and any refusal below rolls
        // the claim back with everything else. A cart that is not active and unexpired takes
        // the slower path that tells why (or returns the order it already became).
        let claimed = try await sql.raw("""
            UPDATE carts SET status = 'completed', order_id = \(bind: orderID), email = \(bind: email), updated_at = \(bind: stamp)
            WHERE id = \(bind: cartID) AND status = 'active' AND expires_at >= \(bind: stamp)
            RETURNING secret_sha256, customer_id
            """).first()
        guard let claimed else {
            let cart = try await Carts.authorize(id: cartID, access: access, now: now, on: sql)
            if cart.status != "active", let existing = cart.orderID,
               let order = try await OrderReader(sql: sql).orders(ids: [existing], withEvents: true).first {
                return Result(order: order, created: false)
            }
            throw Problem.conflict("This cart cannot be checked out now; reload it and try again.")
        }
        if case .secret(let secret) = access {
            guard let secret, TokenDigest.matches(secret, digest: try claimed.decode(column: "secret_sha256", as: String.self)) else {
                throw Problem.notFound("There is no cart \(cartID.prefix(64)).")
            }
        }
        let cartCustomer = try claimed.decode(column: "customer_id", as: String?.self)

        // The order number and the store's terms, in one statement (and, on PostgreSQL, the lock
        // that orders checkouts of this store: always taken first, so no deadlock).
        guard let terms = try await sql.raw("""
            UPDATE store_settings SET next_order_number = next_order_number + 1 WHERE id = 1
            RETURNING next_order_number, currency, tax_rate_bps, shipping_rate
            """).first() else {
            throw Problem.notFound("This store has no settings.")
        }
        let number = try terms.decode(column: "next_order_number", as: Int.self) - 1
        let currency = try terms.decode(column: "currency", as: String.self)

        let lines = try await CartReader(sql: sql).lines(cartID: cartID, currency: currency)
        guard !lines.isEmpty else { throw Problem.conflict("The cart is empty.") }
        let unavailable = lines.filter { $0.productID == nil || $0.item.problem == "is no longer for sale" }
        if !unavailable.isEmpty {
            throw Problem.conflict("Some items are no longer for sale.", errors: unavailable.map { .init(field: $0.item.variantId, message: "is no longer for sale") })
        }

        // Stock: quantities summed per variant, taken in id order by a conditional update each;
        // every variant that falls short is named, and the transaction rolls back.
        var wanted: [String: Int] = [:]
        for line in lines where line.trackInventory { wanted[line.item.variantId, default: 0] += line.item.quantity }
        var short: [String] = []
        var after: [String: Int] = [:]
        for variantID in wanted.keys.sorted() {
            if let stock = try await Inventory.apply(variantID: variantID, delta: -(wanted[variantID] ?? 0), now: now, on: sql) {
                after[variantID] = stock
            } else {
                short.append(variantID)
            }
        }
        if !short.isEmpty {
            let rows = try await sql.raw("SELECT id, stock FROM product_variants WHERE id IN (\(binds: short))").all()
            var stock: [String: Int] = [:]
            for row in rows { stock[try row.decode(column: "id", as: String.self)] = try row.decode(column: "stock", as: Int.self) }
            throw Problem.conflict("Not enough stock for some items.", errors: short.map { .init(field: $0, message: "only \(stock[$0] ?? 0) left") })
        }
        for (variantID, stock) in after.sorted(by: { $0.key < $1.key }) {
            try await Inventory.record(variantID: variantID, delta: -(wanted[variantID] ?? 0), stockAfter: stock, reason: "order", reference: orderID, actor: nil, now: now, on: sql)
        }

        let totals = CartTotals(
            subtotal: lines.reduce(0) { $0 + $1.item.lineTotal.amount },
            hasItems: true,
            shippingRate: try terms.decode(column: "shipping_rate", as: Int.self),
            taxRateBasisPoints: try terms.decode(column: "tax_rate_bps", as: Int.self)
        )
        let customer: String
        if let known = customerID ?? cartCustomer {
            customer = known
        } else {
            customer = try await Customers.guest(email: email, now: now, on: sql)
        }
        try await sql.raw("""
            INSERT INTO orders (id, number, cart_id, customer_id, email, status, currency, subtotal, shipping, tax, total, refunded_total,
                                shipping_address_json, billing_address_json, payment_method, created_at, updated_at)
            VALUES (\(bind: orderID), \(bind: number), \(bind: cartID), \(bind: customer), \(bind: email), 'pending', \(bind: currency),
                    \(bind: totals.subtotal), \(bind: totals.shipping), \(bind: totals.tax), \(bind: totals.total), 0,
                    \(bind: try JSONText.encode(shipping)), \(bind: try billing.map { try JSONText.encode($0) }), \(bind: method), \(bind: stamp), \(bind: stamp))
            """).run()
        var orderLines: [OrderLine] = []
        for (position, line) in lines.enumerated() {
            let item = line.item
            let orderLine = OrderLine(
                id: Identifier.make("line", date: now), productId: line.productID ?? "", variantId: item.variantId, title: item.title,
                variantTitle: item.variantTitle, sku: item.sku, unitPrice: item.unitPrice, quantity: item.quantity, total: item.lineTotal
            )
            try await sql.raw("""
                INSERT INTO order_lines (id, order_id, position, product_id, variant_id, title, variant_title, sku, unit_price, quantity, line_total)
                VALUES (\(bind: orderLine.id), \(bind: orderID), \(bind: position), \(bind: orderLine.productId), \(bind: item.variantId),
                        \(bind: item.title), \(bind: item.variantTitle), \(bind: item.sku), \(bind: item.unitPrice.amount), \(bind: item.quantity), \(bind: item.lineTotal.amount))
                """).run()
            orderLines.append(orderLine)
        }
        let event = try await Orders.addEvent(orderID: orderID, type: "placed", message: "Order #\(number) placed by \(email)", actor: nil, now: now, on: sql)
        func money(_ amount: Int) -> Money { Money(amount: amount, currency: currency) }
        let order = Order(
            id: orderID, number: number, name: "#\(number)", status: .pending, email: email, customerId: customer, currency: currency,
            lines: orderLines, subtotal: money(totals.subtotal), shipping: money(totals.shipping), tax: money(totals.tax), total: money(totals.total),
            refundedTotal: money(0), shippingAddress: shipping, billingAddress: billing, paymentMethod: method, cartId: cartID, createdAt: stamp, updatedAt: stamp, events: [event],
            payment: PaymentSummary(orderID: orderID, method: method, cardProvider: cardProvider)
        )
        try await Outbox.publish(.orderCreated, objectID: orderID, now: now, on: sql) { order }
        return Result(order: order, created: true)
    }
}
