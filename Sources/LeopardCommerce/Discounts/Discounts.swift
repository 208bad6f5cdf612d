import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// A store's discounts, for staff: create, list, read, change, delete.
public struct Discounts: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public func create(_ input: DiscountInput, actor: String, now: Date = Date()) async throws -> Discount {
        try await database.write { sql in
            let currency = try await StoreSettings.load(on: sql)?.currency ?? "USD"
            let input = try await Self.resolvingEmails(input, current: nil, on: sql)
            let discount = try input.applied(to: nil, id: Identifier.make("disc", date: now), currency: currency, now: now.stamp)
            try await Self.checkCode(discount, on: sql)
            try await Self.insert(discount, on: sql)
            try await AuditLog.record(actor: actor, action: "discount.created", subject: discount.id, summary: Self.describe(discount), now: now, on: sql)
            return discount
        }
    }

    public func update(id: String, _ input: DiscountInput, actor: String, now: Date = Date()) async throws -> Discount {
        try await database.write { sql in
            guard let current = try await Self.find(id: id, on: sql) else { throw Self.notFound(id) }
            let currency = try await StoreSettings.load(on: sql)?.currency ?? "USD"
            let input = try await Self.resolvingEmails(input, current: current, on: sql)
            let discount = try input.applied(to: current, id: id, currency: currency, now: now.stamp)
            try await Self.checkCode(discount, on: sql)
            try await Self.save(discount, on: sql)
            try await AuditLog.record(actor: actor, action: "discount.updated", subject: id, summary: Self.describe(discount), now: now, on: sql)
            return discount
        }
    }

    /// `customerEmails` looked up as customers of this store and added to `customerIds` (those
    /// given, or the discount's own); a field error names each address, or id, that is not a
    /// customer here.
    static func resolvingEmails(_ input: DiscountInput, current: Discount?, on sql: any SQLDatabase) async throws -> DiscountInput {
        var errors: [Problem.FieldError] = []
        for (index, id) in (input.customerIds ?? []).prefix(100).enumerated() {
            let known = id.utf8.count <= 64 ? try await sql.raw("SELECT id FROM customers WHERE id = \(bind: id)").first() : nil
            if known == nil { errors.append(.init(field: "customerIds.\(index)", message: "is not a customer of this store")) }
        }
        guard let emails = input.customerEmails else {
            guard errors.isEmpty else { throw Problem.validation(errors) }
            return input
        }
        guard emails.count <= 100 else { throw Problem.invalid("customerEmails", "must be at most 100 addresses") }
        var resolved = input
        var ids = input.customerIds ?? current?.customerIds ?? []
        for (index, text) in emails.enumerated() {
            guard let email = EmailAddress(text),
                let row = try await sql.raw("SELECT id FROM customers WHERE email = \(bind: email.value)").first()
            else {
                errors.append(.init(field: "customerEmails.\(index)", message: "\(text.prefix(254)) is not a customer of this store"))
                continue
            }
            let id = try row.decode(column: "id", as: String.self)
            if !ids.contains(id) { ids.append(id) }
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        resolved.customerIds = ids
        return resolved
    }

    public func find(id: String) async throws -> Discount? {
        try await database.read { sql in try await Self.find(id: id, on: sql) }
    }

    public func list(page: PageRequest) async throws -> Page<Discount> {
        try await database.read { sql in
            let rows = try await sql.raw(
                "SELECT \(unsafeRaw: Self.columns) FROM discounts WHERE id > \(bind: page.after ?? "") ORDER BY id LIMIT \(bind: page.limit + 1)"
            ).all()
            let currency = try await StoreSettings.load(on: sql)?.currency ?? "USD"
            return Page(fetched: try rows.map { try Self.discount($0, currency: currency) }, limit: page.limit, position: \.id)
        }
    }

    public func delete(id: String, actor: String, now: Date = Date()) async throws -> Bool {
        try await database.write { sql in
            guard try await sql.raw("DELETE FROM discounts WHERE id = \(bind: id) RETURNING id").first() != nil else { return false }
            try await AuditLog.record(actor: actor, action: "discount.deleted", subject: id, summary: "Deleted a discount", now: now, on: sql)
            return true
        }
    }

    static func describe(_ discount: Discount) -> String {
        "\(discount.code ?? "automatic") (\(discount.kind.rawValue))"
    }

    static func notFound(_ id: String) -> Problem { Problem.notFound("There is no discount \(id.prefix(64)).") }

    static func checkCode(_ discount: Discount, on sql: any SQLDatabase) async throws {
        guard let code = discount.code else { return }
        if try await sql.raw("SELECT id FROM discounts WHERE code = \(bind: code) AND id <> \(bind: discount.id)").first() != nil {
            throw Problem.conflict("Another discount has the code \(code).", errors: [.init(field: "code", message: "is taken")])
        }
    }

    static func insert(_ d: Discount, on sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO discounts (id, code, title, kind, value, applies_to, buy_quantity, get_quantity, min_subtotal, min_quantity, product_ids,
                                   category_ids, customer_ids, customer_tags, starts_at, ends_at, usage_limit, per_customer_limit, times_used, combinable,
                                   automatic, active, created_at, updated_at)
            VALUES (\(bind: d.id), \(bind: d.code), \(bind: d.title), \(bind: d.kind.rawValue), \(bind: d.stored), \(bind: d.appliesTo.rawValue),
                    \(bind: d.buyQuantity), \(bind: d.getQuantity), \(bind: d.minSubtotal?.amount), \(bind: d.minQuantity),
                    \(bind: try JSONText.encode(d.productIds)), \(bind: try JSONText.encode(d.categoryIds)), \(bind: try JSONText.encode(d.customerIds)),
                    \(bind: try JSONText.encode(d.customerTags)), \(bind: d.startsAt), \(bind: d.endsAt), \(bind: d.usageLimit), \(bind: d.perCustomerLimit), \(bind: d.timesUsed),
                    \(bind: d.combinable ? 1 : 0), \(bind: d.automatic ? 1 : 0), \(bind: d.active ? 1 : 0), \(bind: d.createdAt), \(bind: d.updatedAt))
            """
        ).run()
    }

    /// Writes every field but the count of uses, which only checkouts and cancellations change.
    static func save(_ d: Discount, on sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            UPDATE discounts SET code = \(bind: d.code), title = \(bind: d.title), kind = \(bind: d.kind.rawValue), value = \(bind: d.stored),
                applies_to = \(bind: d.appliesTo.rawValue), buy_quantity = \(bind: d.buyQuantity), get_quantity = \(bind: d.getQuantity),
                min_subtotal = \(bind: d.minSubtotal?.amount), min_quantity = \(bind: d.minQuantity), product_ids = \(bind: try JSONText.encode(d.productIds)),
                category_ids = \(bind: try JSONText.encode(d.categoryIds)), customer_ids = \(bind: try JSONText.encode(d.customerIds)),
                customer_tags = \(bind: try JSONText.encode(d.customerTags)), starts_at = \(bind: d.startsAt), ends_at = \(bind: d.endsAt), usage_limit = \(bind: d.usageLimit), per_customer_limit = \(bind: d.perCustomerLimit),
                combinable = \(bind: d.combinable ? 1 : 0), automatic = \(bind: d.automatic ? 1 : 0), active = \(bind: d.active ? 1 : 0),
                updated_at = \(bind: d.updatedAt)
            WHERE id = \(bind: d.id)
            """
        ).run()
    }

    static let columns = """
        id, code, title, kind, value, applies_to, buy_quantity, get_quantity, min_subtotal, min_quantity, product_ids, category_ids, customer_ids,
        customer_tags, starts_at, ends_at, usage_limit, per_customer_limit, times_used, combinable, automatic, active, created_at, updated_at
        """

    static func find(id: String, on sql: any SQLDatabase) async throws -> Discount? {
        let currency = try await StoreSettings.load(on: sql)?.currency ?? "USD"
        return try await sql.raw("SELECT \(unsafeRaw: columns) FROM discounts WHERE id = \(bind: id)").first().map { try discount($0, currency: currency) }
    }

    static func discount(_ row: any SQLRow, currency: String) throws -> Discount {
        let kind = Discount.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .percentage
        let stored = try row.decode(column: "value", as: Int.self)
        func ids(_ column: String) throws -> [String] { try JSONText.decode([String].self, from: try row.decode(column: column, as: String.self)) }
        return Discount(
            id: try row.decode(column: "id", as: String.self), code: try row.decode(column: "code", as: String?.self),
            title: try row.decode(column: "title", as: String.self), kind: kind,
            value: kind == .fixed ? Decimal(stored) : Decimal(stored) / 100,
            appliesTo: Discount.AppliesTo(rawValue: try row.decode(column: "applies_to", as: String.self)) ?? .order,
            buyQuantity: try row.decode(column: "buy_quantity", as: Int?.self), getQuantity: try row.decode(column: "get_quantity", as: Int?.self),
            minSubtotal: try row.decode(column: "min_subtotal", as: Int?.self).map { Money(amount: $0, currency: currency) },
            minQuantity: try row.decode(column: "min_quantity", as: Int?.self), productIds: try ids("product_ids"), categoryIds: try ids("category_ids"),
            customerIds: try ids("customer_ids"), customerTags: try ids("customer_tags"), startsAt: try row.decode(column: "starts_at", as: String?.self),
            endsAt: try row.decode(column: "ends_at", as: String?.self), usageLimit: try row.decode(column: "usage_limit", as: Int?.self),
            perCustomerLimit: try row.decode(column: "per_customer_limit", as: Int?.self), timesUsed: try row.decode(column: "times_used", as: Int.self),
            combinable: try row.decode(column: "combinable", as: Int.self) != 0, automatic: try row.decode(column: "automatic", as: Int.self) != 0,
            active: try row.decode(column: "active", as: Int.self) != 0, createdAt: try row.decode(column: "created_at", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: String.self), stored: stored)
    }
}
