import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// What staff see and keep about a customer: the account, its addresses, its orders with what
/// they came to, tags, and internal notes with who wrote each. Shoppers never see tags or notes.
public struct CustomerRecords: Sendable {
    public let database: any DatabaseHandle

    public static let maximumTags = 20
    public static let noteLength = 2000

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public struct Note: Sendable, Encodable, Equatable {
        public let id: String
        public let text: String
        /// Who wrote it (`staff:…`, `key:…`).
        public let actor: String
        public let createdAt: String
    }

    public struct OrderSummary: Sendable, Encodable, Equatable {
        public let id: String
        public let name: String
        public let status: String
        public let total: Money
        public let createdAt: String
    }

    /// A customer for staff: every field of `Customer`, and the rest.
    public struct Record: Sendable, Encodable {
        public let id: String
        public let email: String
        public let firstName: String?
        public let lastName: String?
        public let registered: Bool
        public let verified: Bool
        public let createdAt: String
        public let updatedAt: String
        public let tags: [String]
        /// Newest first, at most 50.
        public let notes: [Note]
        public let addresses: [Customers.SavedAddress]
        /// Orders are shown to staff who may read orders; nil for anyone else.
        public let orderCount: Int?
        /// What the orders that were not cancelled or expired came to, less refunds.
        public let totalSpent: Money?
        /// The newest ten.
        public let recentOrders: [OrderSummary]?
    }

    public struct TagsInput: Decodable, Sendable {
        public var tags: [String]

        public init(tags: [String]) {
            self.tags = tags
        }
    }

    /// `withOrders`: the caller may read orders (the `orders` permission).
    public func record(id: String, withOrders: Bool = true) async throws -> Record? {
        guard id.utf8.count <= 64 else { return nil }
        return try await database.read { sql -> Record? in
            guard
                let customer = try await sql.raw("SELECT \(unsafeRaw: Customers.columns) FROM customers WHERE id = \(bind: id)").first().map(Customers.customer)
            else { return nil }
            let currency = try await StoreSettings.load(on: sql)?.currency ?? "USD"
            let tags = try await Self.tags(customerID: id, on: sql)
            let notes = try await sql.raw(
                "SELECT id, text, actor, created_at FROM customer_notes WHERE customer_id = \(bind: id) ORDER BY id DESC LIMIT 50"
            ).all().map { row in
                Note(
                    id: try row.decode(column: "id", as: String.self), text: try row.decode(column: "text", as: String.self),
                    actor: try row.decode(column: "actor", as: String.self), createdAt: try row.decode(column: "created_at", as: String.self))
            }
            let totals = try await sql.raw(
                """
                SELECT COUNT(*) AS n, CAST(COALESCE(SUM(CASE WHEN status IN ('cancelled', 'expired') THEN 0 ELSE total - refunded_total END), 0) AS BIGINT) AS spent
                FROM orders WHERE customer_id = \(bind: id)
                """
            ).first()
            let recent = try await sql.raw(
                "SELECT id, number, status, total, created_at FROM orders WHERE customer_id = \(bind: id) ORDER BY id DESC LIMIT 10"
            ).all().map { row in
                OrderSummary(
                    id: try row.decode(column: "id", as: String.self), name: "#\(try row.decode(column: "number", as: Int.self))",
                    status: try row.decode(column: "status", as: String.self),
                    total: Money(amount: try row.decode(column: "total", as: Int.self), currency: currency),
                    createdAt: try row.decode(column: "created_at", as: String.self))
            }
            return Record(
                id: customer.id, email: customer.email, firstName: customer.firstName, lastName: customer.lastName, registered: customer.registered,
                verified: customer.verified, createdAt: customer.createdAt, updatedAt: customer.updatedAt, tags: tags, notes: notes,
                addresses: try await Customers.addresses(customerID: id, on: sql),
                orderCount: withOrders ? try totals?.decode(column: "n", as: Int.self) ?? 0 : nil,
                totalSpent: withOrders ? Money(amount: try totals?.decode(column: "spent", as: Int.self) ?? 0, currency: currency) : nil,
                recentOrders: withOrders ? recent : nil)
        }
    }

    /// Replaces the tags: trimmed, lower case, 1 to 40 letters, digits, spaces, - or _, at most 20.
    public func setTags(id: String, _ input: TagsInput, actor: String, withOrders: Bool = true, now: Date = Date()) async throws -> Record {
        let tags = try Self.normalized(input.tags, field: "tags")
        try await database.write { sql in
            guard try await sql.raw("UPDATE customers SET tags_json = \(bind: try JSONText.encode(tags)) WHERE id = \(bind: id) RETURNING id").first() != nil
            else { throw Self.notFound(id) }
            try await AuditLog.record(
                actor: actor, action: "customer.tags_changed", subject: id, summary: "Tags: " + (tags.isEmpty ? "none" : tags.joined(separator: ", ")),
                now: now, on: sql)
        }
        guard let record = try await record(id: id, withOrders: withOrders) else { throw Self.notFound(id) }
        return record
    }

    /// An internal note on the customer.
    public func addNote(id: String, text input: String, actor: String, now: Date = Date()) async throws -> Note {
        let text = input.trimmingWhitespace()
        guard (1...Self.noteLength).contains(text.count), !text.contains("\u{0}") else {
            throw Problem.invalid("text", "must be 1 to \(Self.noteLength) characters")
        }
        let note = Note(id: Identifier.make("cnote", date: now), text: text, actor: String(actor.prefix(300)), createdAt: now.stamp)
        try await database.write { sql in
            guard try await sql.raw("SELECT id FROM customers WHERE id = \(bind: id)").first() != nil else { throw Self.notFound(id) }
            try await sql.raw(
                """
                INSERT INTO customer_notes (id, customer_id, text, actor, created_at)
                VALUES (\(bind: note.id), \(bind: id), \(bind: note.text), \(bind: note.actor), \(bind: note.createdAt))
                """
            ).run()
        }
        return note
    }

    static func tags(customerID: String, on sql: any SQLDatabase) async throws -> [String] {
        guard let row = try await sql.raw("SELECT tags_json FROM customers WHERE id = \(bind: customerID)").first() else { return [] }
        return try JSONText.decode([String].self, from: try row.decode(column: "tags_json", as: String.self))
    }

    /// Tags as stored: trimmed, lower case, no repeats; field errors name the bad ones.
    static func normalized(_ tags: [String], field: String) throws(Problem) -> [String] {
        guard tags.count <= maximumTags else { throw Problem.invalid(field, "must be at most \(maximumTags) tags") }
        var result: [String] = []
        var errors: [Problem.FieldError] = []
        for (index, tag) in tags.enumerated() {
            let clean = tag.trimmingWhitespace().lowercased()
            guard (1...40).contains(clean.count), clean.allSatisfy({ $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" || $0 == "_" }) else {
                errors.append(.init(field: "\(field).\(index)", message: "must be 1 to 40 letters, digits, spaces, - or _"))
                continue
            }
            if !result.contains(clean) { result.append(clean) }
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return result
    }

    static func notFound(_ id: String) -> Problem { Problem.notFound("There is no customer \(id.prefix(64)).") }
}
