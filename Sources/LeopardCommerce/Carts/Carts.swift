import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Carts of one store. Anonymous: creating one returns a secret that every later call presents.
/// Prices and stock are read live, so totals always reflect the catalog; checkout snapshots them.
public struct Carts: Sendable {
    public static let idleLifetime: TimeInterval = 30 * 24 * 3600
    public static let maximumLines = 100
    public static let maximumQuantity = 10_000

    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public struct LineInput: Decodable, Sendable {
        public var variantId: String
        public var quantity: Int

        public init(variantId: String, quantity: Int) {
            self.variantId = variantId
            self.quantity = quantity
        }
    }

    public struct CreateInput: Decodable, Sendable {
        public var email: String?
        public var items: [LineInput]?

        public init(email: String? = nil, items: [LineInput]? = nil) {
            self.email = email
            self.items = items
        }
    }

    /// `preparedByStore`: a draft order's cart, whose lines only staff change; only such a cart
    /// takes `customLines`.
    public func create(
        _ input: CreateInput, customerID: String?, preparedByStore: Bool = false, customLines: [CustomLineInput] = [], now: Date = Date()
    ) async throws -> Cart {
        let email = try input.email.map { text in
            guard let address = EmailAddress(text) else { throw Problem.invalid("email", "must be an e-mail address") }
            return address.value
        }
        let lines = input.items ?? []
        if lines.count > Self.maximumLines { throw Problem.invalid("items", "must have at most \(Self.maximumLines) entries") }
        for (index, line) in lines.enumerated() { try Self.checkQuantity(line.quantity, field: "items.\(index).quantity") }
        // The same variant twice is one line; the new cart has no lines to merge with.
        var merged: [(variantID: String, quantity: Int, index: Int)] = []
        for (index, line) in lines.enumerated() {
            if let existing = merged.firstIndex(where: { $0.variantID == line.variantId }) {
                merged[existing].quantity += line.quantity
                try Self.checkQuantity(merged[existing].quantity, field: "items.\(index).quantity")
            } else {
                merged.append((line.variantId, line.quantity, index))
            }
        }
        let id = Identifier.make("cart", date: now)
        let secret = SecureToken.make()
        let checked = merged
        // Availability is read before the write, off the single writer: it is advice to the
        // shopper; checkout takes the stock, and checks again, atomically.
        let custom = try await database.read { sql in
            for line in checked {
                try await Self.checkAvailable(variantID: line.variantID, quantity: line.quantity, field: "items.\(line.index).variantId", on: sql)
            }
            guard preparedByStore, !customLines.isEmpty else { return [CustomLine]() }
            return try Self.check(customLines, currency: try await StoreSettings.load(on: sql)?.currency ?? "")
        }
        try await database.write { sql in
            // Expired carts go now and then, a hundred at a time, as new ones come.
            if Int.random(in: 0..<32) == 0 {
                try await sql.raw("DELETE FROM carts WHERE id IN (SELECT id FROM carts WHERE expires_at < \(bind: now.stamp) LIMIT 100)").run()
            }
            try await sql.raw(
                """
                INSERT INTO carts (id, secret_sha256, email, customer_id, status, created_at, updated_at, expires_at, kind)
                VALUES (\(bind: id), \(bind: TokenDigest.hex(secret)), \(bind: email), \(bind: customerID), 'active', \(bind: now.stamp), \(bind: now.stamp), \(bind: now.addingTimeInterval(Self.idleLifetime).stamp),
                        \(bind: preparedByStore ? "draft" : "shop"))
                """
            ).run()
            for line in checked {
                try await sql.raw(
                    """
                    INSERT INTO cart_items (id, cart_id, variant_id, quantity, created_at)
                    VALUES (\(bind: Identifier.make("item", date: now)), \(bind: id), \(bind: line.variantID), \(bind: line.quantity), \(bind: now.stamp))
                    """
                ).run()
            }
            try await Self.insert(custom, cartID: id, now: now, on: sql)
        }
        // Just written, so there is no access to check: read and price it.
        var cart = try await database.read { sql in try await CartReader(sql: sql).cart(id: id) }
        cart.secret = secret
        return cart
    }

    public func get(id: String, access: CartAccess, now: Date = Date()) async throws -> Cart {
        try await database.read { sql in
            try await Self.authorize(id: id, access: access, now: now, on: sql)
            return try await CartReader(sql: sql).cart(id: id)
        }
    }

    /// Adds a variant (or more of it, when the cart has it already).
    public func addItem(cartID: String, access: CartAccess, line: LineInput, now: Date = Date()) async throws -> Cart {
        try Self.checkQuantity(line.quantity, field: "quantity")
        try await database.write { sql in
            try await Self.authorizeForChange(id: cartID, access: access, now: now, on: sql)
            try await self.addLine(cartID: cartID, variantID: line.variantId, quantity: line.quantity, field: "", now: now, on: sql)
            try await Self.touch(cartID, now: now, on: sql)
        }
        return try await get(id: cartID, access: .staff, now: now)
    }

    /// Sets a line's quantity; 0 removes the line.
    public func updateItem(cartID: String, itemID: String, access: CartAccess, quantity: Int, now: Date = Date()) async throws -> Cart {
        if quantity != 0 { try Self.checkQuantity(quantity, field: "quantity") }
        try await database.write { sql in
            try await Self.authorizeForChange(id: cartID, access: access, now: now, on: sql)
            guard let row = try await sql.raw("SELECT variant_id FROM cart_items WHERE id = \(bind: itemID) AND cart_id = \(bind: cartID)").first() else {
                throw Problem.notFound("This cart has no item \(itemID.prefix(64)).")
            }
            if quantity == 0 {
                try await sql.raw("DELETE FROM cart_items WHERE id = \(bind: itemID)").run()
            } else {
                let variantID = try row.decode(column: "variant_id", as: String.self)
                try await Self.checkAvailable(variantID: variantID, quantity: quantity, field: "quantity", on: sql)
                try await sql.raw("UPDATE cart_items SET quantity = \(bind: quantity) WHERE id = \(bind: itemID)").run()
            }
            try await Self.touch(cartID, now: now, on: sql)
        }
        return try await get(id: cartID, access: .staff, now: now)
    }

    public func removeItem(cartID: String, itemID: String, access: CartAccess, now: Date = Date()) async throws -> Cart {
        try await database.write { sql in
            try await Self.authorizeForChange(id: cartID, access: access, now: now, on: sql)
            guard try await sql.raw("DELETE FROM cart_items WHERE id = \(bind: itemID) AND cart_id = \(bind: cartID) RETURNING id").first() != nil else {
                throw Problem.notFound("This cart has no item \(itemID.prefix(64)).")
            }
            try await Self.touch(cartID, now: now, on: sql)
        }
        return try await get(id: cartID, access: .staff, now: now)
    }

    // MARK: Rules

    static func checkQuantity(_ quantity: Int, field: String) throws {
        guard (1...maximumQuantity).contains(quantity) else {
            throw Problem.invalid(field, "must be a whole number from 1 to \(maximumQuantity)")
        }
    }

    private func addLine(cartID: String, variantID: String, quantity: Int, field: String, now: Date, on sql: any SQLDatabase) async throws {
        let prefix = field.isEmpty ? "" : field + "."
        let existing = try await sql.raw("SELECT id, quantity FROM cart_items WHERE cart_id = \(bind: cartID) AND variant_id = \(bind: variantID)").first()
        let current = try existing?.decode(column: "quantity", as: Int.self) ?? 0
        let total = current + quantity
        if total > Self.maximumQuantity { throw Problem.invalid(prefix + "quantity", "would make \(total); at most \(Self.maximumQuantity) per line") }
        try await Self.checkAvailable(variantID: variantID, quantity: total, field: prefix + "variantId", on: sql)
        if let existing {
            try await sql.raw("UPDATE cart_items SET quantity = \(bind: total) WHERE id = \(bind: try existing.decode(column: "id", as: String.self))").run()
        } else {
            let lines =
                try await sql.raw("SELECT COUNT(*) AS n FROM cart_items WHERE cart_id = \(bind: cartID)").first()?.decode(column: "n", as: Int.self) ?? 0
            if lines >= Self.maximumLines { throw Problem.conflict("A cart holds at most \(Self.maximumLines) different items.") }
            try await sql.raw(
                """
                INSERT INTO cart_items (id, cart_id, variant_id, quantity, created_at)
                VALUES (\(bind: Identifier.make("item", date: now)), \(bind: cartID), \(bind: variantID), \(bind: quantity), \(bind: now.stamp))
                """
            ).run()
        }
    }

    /// 422 when the variant is not for sale here; 409 when its stock is below `quantity`.
    static func checkAvailable(variantID: String, quantity: Int, field: String, on sql: any SQLDatabase) async throws {
        guard
            let row = try await sql.raw(
                """
                SELECT v.stock, v.track_inventory, v.title, p.title AS product_title FROM product_variants v JOIN products p ON p.id = v.product_id
                WHERE v.id = \(bind: variantID) AND p.status = 'active'
                """
            ).first()
        else {
            throw Problem.invalid(field, "is not a product for sale in this store")
        }
        let stock = try row.decode(column: "stock", as: Int.self)
        if try row.decode(column: "track_inventory", as: Int.self) != 0, quantity > stock {
            let title = try row.decode(column: "product_title", as: String.self)
            throw Problem.conflict("Only \(stock) of \(title) left.", errors: [.init(field: variantID, message: "only \(stock) left")])
        }
    }

    /// What `authorize` found: the cart's state, its shopper and whose cart it is.
    struct Access {
        let status: String
        let orderID: String?
        let email: String?
        let customerID: String?
        /// `shop`, or `draft` for a draft order's cart.
        let kind: String
    }

    /// 404 unless the cart exists, has not expired and the caller holds its secret (or is staff).
    /// A wrong secret is a 404 too, so cart ids cannot be probed.
    @discardableResult
    static func authorize(id: String, access: CartAccess, now: Date, on sql: any SQLDatabase) async throws -> Access {
        guard
            let row = try await sql.raw("SELECT secret_sha256, status, order_id, expires_at, email, customer_id, kind FROM carts WHERE id = \(bind: id)")
                .first()
        else {
            throw Problem.notFound("There is no cart \(id.prefix(64)).")
        }
        if case .secret(let secret) = access {
            guard let secret, TokenDigest.matches(secret, digest: try row.decode(column: "secret_sha256", as: String.self)) else {
                throw Problem.notFound("There is no cart \(id.prefix(64)).")
            }
        }
        let status = try row.decode(column: "status", as: String.self)
        if status == "active", try row.decode(column: "expires_at", as: String.self) < now.stamp {
            throw Problem.notFound("This cart has expired.")
        }
        return Access(
            status: status, orderID: try row.decode(column: "order_id", as: String?.self), email: try row.decode(column: "email", as: String?.self),
            customerID: try row.decode(column: "customer_id", as: String?.self), kind: try row.decode(column: "kind", as: String.self))
    }

    /// As `authorize`, for a change: the cart must be active. `items` marks a change of what is
    /// bought (lines, codes): on a draft order's cart only staff make those, so the shopper who
    /// pays through the draft's link pays for what the store prepared.
    @discardableResult
    static func authorizeForChange(id: String, access: CartAccess, items: Bool = true, now: Date, on sql: any SQLDatabase) async throws -> Access {
        let state = try await authorize(id: id, access: access, now: now, on: sql)
        if state.status != "active" {
            throw Problem.conflict("This cart is checked out; start a new one.")
        }
        if items, state.kind == "draft", case .secret = access {
            throw Problem.conflict("The store prepared this order for you; ask them to change it.")
        }
        return state
    }

    static func touch(_ cartID: String, now: Date, on sql: any SQLDatabase) async throws {
        try await sql.raw(
            "UPDATE carts SET updated_at = \(bind: now.stamp), expires_at = \(bind: now.addingTimeInterval(idleLifetime).stamp) WHERE id = \(bind: cartID)"
        ).run()
    }
}
