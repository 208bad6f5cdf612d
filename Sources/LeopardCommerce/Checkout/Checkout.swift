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
    /// one to read the store's terms, a read (or an insert) for the guest customer, a
    /// conditional update per variant (no separate stock read), one to claim the order number,
    /// and the order is built from what was written instead of being read back.
    public func complete(
        cartID: String, access: CartAccess, input: Input, customerID: String?, cardProvider: String = "test", now: Date = Date(),
        on sql: any SQLDatabase
    ) async throws -> Result {
        let (email, shipping, billing) = try Self.validate(input)
        let method = input.paymentMethod ?? "card"
        let orderID = Identifier.make("ord", date: now)
        let stamp = now.stamp

        let owner: String?
        let chosenMethod: String?
        switch try await Self.claim(cartID: cartID, access: access, orderID: orderID, email: email, now: now, on: sql) {
        case .ordered(let existing): return existing
        case .claimed(let customer, let method, let prepared):
            // A draft is the customer's the store chose, whoever's browser pays it; any other
            // cart is the signed-in shopper's, or its own customer's.
            (owner, chosenMethod) = (prepared ? customer ?? customerID : customerID ?? customer, method)
        }

        let terms = try await Self.terms(on: sql)
        let currency = terms.currency

        let lines = try await CartReader(sql: sql).lines(cartID: cartID, currency: currency)
        guard !lines.isEmpty else { throw Problem.conflict("The cart is empty.") }
        let unavailable = lines.filter { ($0.productID == nil && !$0.item.custom) || $0.item.problem == "is no longer for sale" }
        if !unavailable.isEmpty {
            throw Problem.conflict(
                "Some items are no longer for sale.", errors: unavailable.map { .init(field: $0.item.variantId, message: "is no longer for sale") })
        }

        // Reads first, then every write that waits for no other checkout (the guest's row,
        // the order under a provisional number, its lines, the ledger, the mails), and the
        // locks last, in the order every transaction takes them: stock rows by id, the store's
        // order number, discount rows by id. So checkouts of one store wait for each other
        // only for the few statements that follow the locks.
        let shopper = DiscountRules.Shopper(customerID: owner, email: email)
        let (priced, applied) = try await Self.price(cartID, lines, shopper: shopper, address: shipping, method: chosenMethod, terms: terms, now: now, on: sql)
        let totals = priced.result
        // A card order holds its stock for the store's reservation time; manual methods until cancelled.
        let expiresAt = method == "card" ? now.addingTimeInterval(TimeInterval(terms.reservationMinutes * 60)).stamp : nil
        let taxLines = totals.taxLines.map { TaxLine($0, currency: currency) }
        let discounts = totals.discounts.filter { $0.amount > 0 }.map { AppliedDiscount($0, currency: currency) }
        let signedIn = owner != nil
        let customer = try await Customers.guest(owner, email: email, now: now, on: sql)
        try await sql.raw(
            """
            INSERT INTO orders (id, number, cart_id, customer_id, email, status, currency, subtotal, shipping, tax, total, refunded_total,
                                shipping_address_json, billing_address_json, payment_method, placed_signed_in, created_at, updated_at,
                                discount_total, shipping_method, tax_lines_json, discounts_json, prices_include_tax, expires_at)
            VALUES (\(bind: orderID), \(bind: Self.provisionalNumber()), \(bind: cartID), \(bind: customer), \(bind: email), 'pending', \(bind: currency),
                    \(bind: totals.subtotal), \(bind: totals.shipping), \(bind: totals.tax), \(bind: totals.total), 0,
                    \(bind: try JSONText.encode(shipping)), \(bind: try billing.map { try JSONText.encode($0) }), \(bind: method), \(bind: signedIn ? 1 : 0), \(bind: stamp), \(bind: stamp),
                    \(bind: totals.discount), \(bind: priced.method?.name), \(bind: try JSONText.encode(taxLines)), \(bind: try JSONText.encode(discounts)),
                    \(bind: priced.pricesIncludeTax ? 1 : 0), \(bind: expiresAt))
            """
        ).run()
        let orderLines = try await Self.insertLines(lines, priced: totals, orderID: orderID, now: now, on: sql)
        try await SalesLedger.record(
            .init(orders: 1, gross: totals.subtotal, discounts: totals.discount, tax: totals.tax, shipping: totals.shipping, total: totals.total),
            at: Timestamp.date(stamp) ?? now, on: sql)
        try await MailQueue.orderPlaced(orderID: orderID, email: email, now: now, on: sql)
        let endpoints = try await Outbox.subscribers(of: .orderCreated, on: sql)

        try await Self.takeStock(lines, orderID: orderID, now: now, on: sql)
        let (number, event) = try await Self.number(orderID: orderID, currency: currency, email: email, kind: database.kind, now: now, on: sql)
        try await DiscountRules.recordUses(applied, orderID: orderID, email: email, customerID: customer, now: now, on: sql)
        func money(_ amount: Int) -> Money { Money(amount: amount, currency: currency) }
        let order = Order(
            id: orderID, number: number, name: "#\(number)", status: .pending, email: email, customerId: customer, currency: currency,
            lines: orderLines, subtotal: money(totals.subtotal), shipping: money(totals.shipping), tax: money(totals.tax), total: money(totals.total),
            refundedTotal: money(0), discount: money(totals.discount), totals: Totals(totals, currency: currency), shippingMethod: priced.method?.name,
            taxLines: taxLines, discounts: discounts, pricesIncludeTax: priced.pricesIncludeTax, shippingAddress: shipping, billingAddress: billing,
            paymentMethod: method, expiresAt: expiresAt, cartId: cartID, createdAt: stamp,
            updatedAt: stamp, events: [event],
            payment: PaymentSummary(orderID: orderID, method: method, cardProvider: cardProvider)
        )
        try await Outbox.publish(.orderCreated, objectID: orderID, to: endpoints, now: now, on: sql) { order }
        return Result(order: order, created: true)
    }

    /// The store's terms for pricing, read without a lock.
    static func terms(on sql: any SQLDatabase) async throws -> CartPricing.Terms {
        guard
            let row = try await sql.raw(
                "SELECT currency, tax_rate_bps, shipping_rate, prices_include_tax, reservation_minutes FROM store_settings WHERE id = 1"
            ).first()
        else {
            throw Problem.notFound("This store has no settings.")
        }
        var terms = CartPricing.Terms(
            currency: try row.decode(column: "currency", as: String.self), flatTaxBasisPoints: try row.decode(column: "tax_rate_bps", as: Int.self),
            flatShipping: try row.decode(column: "shipping_rate", as: Int.self),
            pricesIncludeTax: try row.decode(column: "prices_include_tax", as: Int.self) != 0)
        terms.reservationMinutes = try row.decode(column: "reservation_minutes", as: Int.self)
        return terms
    }

    /// The order's prices: its discounts (refused with the reason when a code no longer
    /// applies), its shipping method (refused outside every zone), the calculation.
    static func price(
        _ cartID: String, _ lines: [CartReader.Line], shopper: DiscountRules.Shopper, address: Address, method: String?, terms: CartPricing.Terms, now: Date,
        on sql: any SQLDatabase
    ) async throws -> (CartPricing.Priced, [Discount]) {
        let resolution = try await DiscountRules.resolve(cartID: cartID, lines: lines, shopper: shopper, currency: terms.currency, now: now, on: sql)
        if let problem = resolution.problems.first { throw DiscountRules.refusal(problem.code, problem.reason) }
        let priced = try await CartPricing.price(lines, address: address, methodID: method, discounts: resolution.pricing, terms: terms, on: sql)
        if priced.outsideZones { throw Carts.outsideZones(address) }
        if priced.noMethod { throw Carts.noMethod }
        // A discount that took nothing off (too few units, no shipping to free) is not used.
        let took = Set(priced.result.discounts.filter { $0.amount > 0 }.map(\.id))
        return (priced, resolution.applied.filter { took.contains($0.id) })
    }
}
