import Foundation
import LeopardCommerce
import LeopardCore
import LeopardPayments
import LeopardStorage
import SQLKit

/// An order staff build by hand (a phone order, a wholesale customer): the draft owns a cart,
/// so it is priced (discounts, shipping, tax) exactly as a shopper's cart is, and completing it
/// checks that cart out. Completed with `markPaid`, the order is paid at once (money taken
/// outside the platform); otherwise it waits for payment by its method.
public struct DraftOrders: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public struct Input: Decodable, Sendable {
        public var email: String
        public var customerId: String?
        public var lines: [Carts.LineInput]
        /// Lines not in the catalog, with their own title and price.
        public var customLines: [Carts.CustomLineInput]?
        public var shippingAddress: Address
        public var billingAddress: Address?
        public var discountCode: String?
        public var shippingMethodId: String?
        public var note: String?

        public init(
            email: String, customerId: String? = nil, lines: [Carts.LineInput], customLines: [Carts.CustomLineInput]? = nil, shippingAddress: Address,
            billingAddress: Address? = nil, discountCode: String? = nil, shippingMethodId: String? = nil, note: String? = nil
        ) {
            self.email = email
            self.customerId = customerId
            self.lines = lines
            self.customLines = customLines
            self.shippingAddress = shippingAddress
            self.billingAddress = billingAddress
            self.discountCode = discountCode
            self.shippingMethodId = shippingMethodId
            self.note = note
        }
    }

    public struct Completion: Decodable, Sendable {
        /// `bank_transfer` (default), `cash_on_delivery` or `card`.
        public var paymentMethod: String?
        /// The customer paid outside the platform: the order is paid at once.
        public var markPaid: Bool?

        public init(paymentMethod: String? = nil, markPaid: Bool? = nil) {
            self.paymentMethod = paymentMethod
            self.markPaid = markPaid
        }
    }

    public struct Draft: Sendable, Encodable {
        public let id: String
        /// `open` or `completed`.
        public let status: String
        public let email: String
        public let customerId: String?
        public let note: String
        public let cart: Cart
        public let orderId: String?
        public let createdBy: String
        public let createdAt: String
    }

    /// A draft lives as long as a staff member may take to settle it with the customer.
    static let lifetime: TimeInterval = 180 * 24 * 3600

    public func create(_ input: Input, actor: String, now: Date = Date()) async throws -> Draft {
        let (email, shipping, billing) = try Checkout.validate(Checkout.Input(email: input.email, shippingAddress: input.shippingAddress))
        let note = (input.note ?? "").trimmingWhitespace()
        guard note.count <= 1000 else { throw Problem.invalid("note", "must be at most 1000 characters") }
        guard !input.lines.isEmpty || !(input.customLines ?? []).isEmpty else {
            throw Problem.invalid("lines", "must name at least one variant, or give a custom line")
        }
        if let customer = input.customerId {
            guard customer.utf8.count <= 64, try await Customers(database: database, hasher: PasswordHasher()).find(id: customer) != nil else {
                throw Problem.invalid("customerId", "names no customer of this store")
            }
        }
        let carts = Carts(database: database)
        let created = try await carts.create(
            .init(email: email, items: input.lines), customerID: input.customerId, preparedByStore: true, customLines: input.customLines ?? [], now: now)
        _ = try await carts.setAddress(cartID: created.id, access: .staff, address: shipping, now: now)
        if let code = input.discountCode { _ = try await carts.addDiscount(cartID: created.id, access: .staff, code: code, now: now) }
        if let method = input.shippingMethodId { _ = try await carts.setShippingMethod(cartID: created.id, access: .staff, methodID: method, now: now) }
        let id = Identifier.make("draft", date: now)
        try await database.write { sql in
            try await sql.raw(
                "UPDATE carts SET expires_at = \(bind: now.addingTimeInterval(Self.lifetime).stamp) WHERE id = \(bind: created.id)"
            ).run()
            try await sql.raw(
                """
                INSERT INTO draft_orders (id, cart_id, email, customer_id, shipping_address_json, billing_address_json, note, status, created_by, created_at, updated_at)
                VALUES (\(bind: id), \(bind: created.id), \(bind: email), \(bind: input.customerId), \(bind: try JSONText.encode(shipping)),
                        \(bind: try billing.map { try JSONText.encode($0) }), \(bind: note), 'open', \(bind: actor), \(bind: now.stamp), \(bind: now.stamp))
                """
            ).run()
            try await AuditLog.record(actor: actor, action: "draft_order.created", subject: id, summary: "Drafted an order for \(email)", now: now, on: sql)
        }
        guard let draft = try await find(id: id) else { throw Self.notFound(id) }
        return draft
    }

    public func find(id: String) async throws -> Draft? {
        guard id.utf8.count <= 64 else { return nil }
        guard
            let row = try await database.read({ sql in try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM draft_orders WHERE id = \(bind: id)").first() }
            )
        else { return nil }
        return try await draft(row)
    }

    public func list(page: PageRequest) async throws -> Page<Draft> {
        let rows = try await database.read { sql in
            var statement: SQLQueryString = "SELECT \(unsafeRaw: Self.columns) FROM draft_orders"
            if let after = page.after { statement += " WHERE id < \(bind: after)" }
            statement += " ORDER BY id DESC LIMIT \(bind: page.limit + 1)"
            return try await sql.raw(statement).all()
        }
        var drafts: [Draft] = []
        for row in rows { drafts.append(try await draft(row)) }
        return Page(data: Array(drafts.prefix(page.limit)), nextCursor: drafts.count > page.limit ? Cursor.encode(drafts[page.limit - 1].id) : nil)
    }

    static let columns = "id, cart_id, email, customer_id, shipping_address_json, billing_address_json, note, status, order_id, created_by, created_at"

    private func draft(_ row: any SQLRow) async throws -> Draft {
        let cartID = try row.decode(column: "cart_id", as: String.self)
        return Draft(
            id: try row.decode(column: "id", as: String.self), status: try row.decode(column: "status", as: String.self),
            email: try row.decode(column: "email", as: String.self), customerId: try row.decode(column: "customer_id", as: String?.self),
            note: try row.decode(column: "note", as: String.self), cart: try await Carts(database: database).get(id: cartID, access: .staff),
            orderId: try row.decode(column: "order_id", as: String?.self), createdBy: try row.decode(column: "created_by", as: String.self),
            createdAt: try row.decode(column: "created_at", as: String.self))
    }

    static func notFound(_ id: String) -> Problem { Problem.notFound("There is no draft order \(id.prefix(64)).") }
}
