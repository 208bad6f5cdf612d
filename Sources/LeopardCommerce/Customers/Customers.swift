import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

public struct Customer: Sendable, Encodable, Equatable {
    public var id: String
    public var email: String
    public var firstName: String?
    public var lastName: String?
    public var registered: Bool
    /// Whether the customer has shown they read mail at this address (a verification or reset
    /// link): only then do orders placed as a guest with it show in the account.
    public var verified: Bool
    public var createdAt: String
    public var updatedAt: String
}

/// Shoppers of one store: guests (created by checkout, by e-mail) and registered customers
/// with a password and bearer sessions (`lpc_…`).
public struct Customers: Sendable {
    public static let tokenPrefix = "lpc_"
    public static let sessionLifetime: TimeInterval = 30 * 24 * 3600

    public let database: any DatabaseHandle
    public let hasher: PasswordHasher

    public init(database: any DatabaseHandle, hasher: PasswordHasher) {
        self.database = database
        self.hasher = hasher
    }

    public struct Registration: Decodable, Sendable {
        public var email: String
        public var password: String
        public var firstName: String?
        public var lastName: String?

        public init(email: String, password: String, firstName: String? = nil, lastName: String? = nil) {
            self.email = email
            self.password = password
            self.firstName = firstName
            self.lastName = lastName
        }
    }

    public struct Session: Encodable, Sendable {
        public let customer: Customer
        public let token: String
        public let expiresAt: String
    }

    static let columns =
        "id, email, first_name, last_name, CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END AS registered, email_verified_at, created_at, updated_at"

    /// Signs a customer in, or returns nil. Unknown addresses cost a hash too.
    public func login(email: String, password: String, now: Date = Date()) async throws -> Session? {
        let normalized = EmailAddress(email)?.value ?? email.lowercased()
        let row = try await database.read { sql in
            try await sql.raw("SELECT id, password_hash FROM customers WHERE email = \(bind: normalized)").first()
        }
        guard let row, let hash = try row.decode(column: "password_hash", as: String?.self) else {
            try await hasher.spendVerificationTime(password)
            return nil
        }
        guard try await hasher.verify(password, hash: hash) else { return nil }
        let id = try row.decode(column: "id", as: String.self)
        guard let customer = try await database.read({ sql in try await self.find(id: id, on: sql) }) else { return nil }
        return try await openSession(for: customer, now: now)
    }

    func openSession(for customer: Customer, now: Date) async throws -> Session {
        let token = Self.tokenPrefix + SecureToken.make()
        let expires = now.addingTimeInterval(Self.sessionLifetime).stamp
        try await database.write { sql in
            try await sql.raw(
                """
                INSERT INTO customer_sessions (id, customer_id, token_sha256, created_at, expires_at)
                VALUES (\(bind: Identifier.make("csn", date: now)), \(bind: customer.id), \(bind: TokenDigest.hex(token)), \(bind: now.stamp), \(bind: expires))
                """
            ).run()
        }
        return Session(customer: customer, token: token, expiresAt: expires)
    }

    /// The customer a live session token belongs to.
    public func customer(token: String, now: Date = Date()) async throws -> Customer? {
        let digest = TokenDigest.hex(token)
        return try await database.read { sql in
            guard
                let row = try await sql.raw(
                    """
                    SELECT customer_id, token_sha256 FROM customer_sessions
                    WHERE token_sha256 = \(bind: digest) AND revoked_at IS NULL AND expires_at > \(bind: now.stamp)
                    """
                ).first(),
                TokenDigest.matches(token, digest: try row.decode(column: "token_sha256", as: String.self))
            else { return nil }
            return try await self.find(id: try row.decode(column: "customer_id", as: String.self), on: sql)
        }
    }

    public func logout(token: String, now: Date = Date()) async throws {
        let digest = TokenDigest.hex(token)
        try await database.write { sql in
            try await sql.raw("UPDATE customer_sessions SET revoked_at = \(bind: now.stamp) WHERE token_sha256 = \(bind: digest) AND revoked_at IS NULL").run()
        }
    }

    public func find(id: String) async throws -> Customer? {
        try await database.read { sql in try await self.find(id: id, on: sql) }
    }

    func find(id: String, on sql: any SQLDatabase) async throws -> Customer? {
        try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM customers WHERE id = \(bind: id)").first().map(Self.customer)
    }

    /// Staff list: newest first, optionally searched by e-mail or name.
    public func list(search: String?, page: PageRequest) async throws -> Page<Customer> {
        let rows = try await database.read { sql in
            var clauses: [SQLQueryString] = []
            if let search, !search.isEmpty {
                let pattern =
                    "%"
                    + search.lowercased().replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(
                        of: "_", with: "\\_") + "%"
                clauses.append(
                    "(email LIKE \(bind: pattern) ESCAPE '\\' OR lower(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')) LIKE \(bind: pattern) ESCAPE '\\')"
                )
            }
            if let after = page.after { clauses.append("id < \(bind: after)") }
            var statement: SQLQueryString = "SELECT \(unsafeRaw: Self.columns) FROM customers"
            if !clauses.isEmpty { statement += " WHERE " + clauses.joined(separator: " AND ") }
            statement += " ORDER BY id DESC LIMIT \(bind: page.limit + 1)"
            return try await sql.raw(statement).all()
        }
        return Page(fetched: try rows.map(Self.customer), limit: page.limit, position: { $0.id })
    }

    /// The order's customer: the known one, else the guest with this e-mail address.
    static func guest(_ known: String?, email: String, now: Date, on sql: any SQLDatabase) async throws -> String {
        if let known { return known }
        return try await guest(email: email, now: now, on: sql)
    }

    /// The guest customer for a checkout's e-mail address, created when new. Runs inside the
    /// checkout's transaction, before it takes any lock: a known customer is read, not locked
    /// (so a shopper's checkouts do not wait for each other on their customer row); a new one
    /// is inserted, which makes a concurrent first checkout with the same address wait here,
    /// before either holds a stock row.
    static func guest(email: String, now: Date, on sql: any SQLDatabase) async throws -> String {
        if let known = try await sql.raw("SELECT id FROM customers WHERE email = \(bind: email)").first() {
            return try known.decode(column: "id", as: String.self)
        }
        // The no-op update returns the id of a customer inserted since the read.
        guard
            let row = try await sql.raw(
                """
                INSERT INTO customers (id, email, created_at, updated_at) VALUES (\(bind: Identifier.make("cus", date: now)), \(bind: email), \(bind: now.stamp), \(bind: now.stamp))
                ON CONFLICT (email) DO UPDATE SET email = excluded.email
                RETURNING id
                """
            ).first()
        else {
            throw Problem.notFound("The customer could not be recorded.")
        }
        return try row.decode(column: "id", as: String.self)
    }

    // MARK: Addresses

    public struct SavedAddress: Encodable, Sendable {
        public let id: String
        public let address: Address
        public let isDefault: Bool
        public let createdAt: String
    }

    /// Saves an address after checking it (field errors under `address.`); at most 20 per customer.
    public func addAddress(customerID: String, address input: Address, isDefault: Bool, now: Date = Date()) async throws -> SavedAddress {
        let (address, errors) = input.validated(field: "address")
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let saved = SavedAddress(id: Identifier.make("adr", date: now), address: address, isDefault: isDefault, createdAt: now.stamp)
        try await database.write { sql in
            let count =
                try await sql.raw("SELECT COUNT(*) AS n FROM customer_addresses WHERE customer_id = \(bind: customerID)").first()?.decode(
                    column: "n", as: Int.self) ?? 0
            guard count < 20 else { throw Problem.conflict("A customer can keep at most 20 addresses.") }
            if isDefault {
                try await sql.raw("UPDATE customer_addresses SET is_default = 0 WHERE customer_id = \(bind: customerID)").run()
            }
            try await sql.raw(
                """
                INSERT INTO customer_addresses (id, customer_id, address_json, is_default, created_at)
                VALUES (\(bind: saved.id), \(bind: customerID), \(bind: try JSONText.encode(address)), \(bind: isDefault ? 1 : 0), \(bind: saved.createdAt))
                """
            ).run()
        }
        return saved
    }

    public func addresses(customerID: String) async throws -> [SavedAddress] {
        try await database.read { sql in try await Self.addresses(customerID: customerID, on: sql) }
    }

    static func addresses(customerID: String, on sql: any SQLDatabase) async throws -> [SavedAddress] {
        let rows = try await sql.raw(
            "SELECT id, address_json, is_default, created_at FROM customer_addresses WHERE customer_id = \(bind: customerID) ORDER BY id LIMIT 20"
        ).all()
        return try rows.map { row in
            SavedAddress(
                id: try row.decode(column: "id", as: String.self),
                address: try JSONText.decode(Address.self, from: try row.decode(column: "address_json", as: String.self)),
                isDefault: try row.decode(column: "is_default", as: Int.self) != 0,
                createdAt: try row.decode(column: "created_at", as: String.self)
            )
        }
    }

    static func customer(_ row: any SQLRow) throws -> Customer {
        Customer(
            id: try row.decode(column: "id", as: String.self),
            email: try row.decode(column: "email", as: String.self),
            firstName: try row.decode(column: "first_name", as: String?.self),
            lastName: try row.decode(column: "last_name", as: String?.self),
            registered: try row.decode(column: "registered", as: Int.self) != 0,
            verified: try row.decode(column: "email_verified_at", as: String?.self) != nil,
            createdAt: try row.decode(column: "created_at", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: String.self)
        )
    }
}
