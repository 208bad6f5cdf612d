import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

public struct Category: Sendable, Encodable, Equatable {
    public var id: String
    public var name: String
    public var slug: String
    public var description: String
    public var position: Int
    public var createdAt: String
    public var updatedAt: String
}

public struct CategoryInput: Decodable, Sendable {
    public var name: String?
    public var slug: String?
    public var description: String?
    public var position: Int?
}

/// Product categories of one store. Deleting one leaves its products without a category.
public struct Categories: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    static let columns = "id, name, slug, description, position, created_at, updated_at"

    public func create(_ input: CategoryInput, now: Date = Date()) async throws -> Category {
        let category = try validated(input, over: nil, now: now)
        try await database.write { sql in
            try await self.checkSlug(category.slug, id: category.id, on: sql)
            try await sql.raw(
                """
                INSERT INTO categories (id, name, slug, description, position, created_at, updated_at)
                VALUES (\(bind: category.id), \(bind: category.name), \(bind: category.slug), \(bind: category.description), \(bind: category.position), \(bind: category.createdAt), \(bind: category.updatedAt))
                """
            ).run()
        }
        return category
    }

    public func update(id: String, with input: CategoryInput, replacing: Bool, now: Date = Date()) async throws -> Category {
        try await database.write { sql in
            guard let current = try await self.find(id, on: sql) else { throw Problem.notFound("There is no category \(id.prefix(64)).") }
            let category = try self.validated(input, over: replacing ? nil : current, now: now, keeping: current)
            try await self.checkSlug(category.slug, id: id, on: sql)
            try await sql.raw(
                """
                UPDATE categories SET name = \(bind: category.name), slug = \(bind: category.slug), description = \(bind: category.description),
                    position = \(bind: category.position), updated_at = \(bind: category.updatedAt)
                WHERE id = \(bind: id)
                """
            ).run()
            return category
        }
    }

    public func delete(id: String) async throws -> Bool {
        try await database.write { sql in
            try await sql.raw("UPDATE products SET category_id = NULL WHERE category_id = \(bind: id)").run()
            return try await sql.raw("DELETE FROM categories WHERE id = \(bind: id) RETURNING id").first() != nil
        }
    }

    /// A category by id or handle.
    public func find(_ idOrSlug: String) async throws -> Category? {
        try await database.read { sql in try await self.find(idOrSlug, on: sql) }
    }

    /// Categories by position, then id.
    public func list(page: PageRequest) async throws -> Page<Category> {
        let rows = try await database.read { sql in
            var statement: SQLQueryString = "SELECT \(unsafeRaw: Self.columns) FROM categories"
            if let after = page.after {
                let parts = after.split(separator: "|", maxSplits: 1)
                guard parts.count == 2, let position = Int(parts[0]) else { throw Problem.invalid("cursor", "is not a cursor this API returned") }
                statement += " WHERE (position > \(bind: position) OR (position = \(bind: position) AND id > \(bind: String(parts[1]))))"
            }
            statement += " ORDER BY position, id LIMIT \(bind: page.limit + 1)"
            return try await sql.raw(statement).all()
        }
        return Page(fetched: try rows.map(Self.category), limit: page.limit, position: { "\($0.position)|\($0.id)" })
    }

    private func find(_ idOrSlug: String, on sql: any SQLDatabase) async throws -> Category? {
        try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM categories WHERE id = \(bind: idOrSlug) OR slug = \(bind: idOrSlug) LIMIT 1").first().map(
            Self.category)
    }

    private func checkSlug(_ slug: String, id: String, on sql: any SQLDatabase) async throws {
        if try await sql.raw("SELECT id FROM categories WHERE slug = \(bind: slug) AND id <> \(bind: id)").first() != nil {
            throw Problem.conflict("Another category has the handle \(slug).", errors: [.init(field: "slug", message: "is taken")])
        }
    }

    private func validated(_ input: CategoryInput, over base: Category?, now: Date, keeping current: Category? = nil) throws(Problem) -> Category {
        var errors: [Problem.FieldError] = []
        let name = (input.name ?? base?.name ?? "").trimmingWhitespace()
        if name.isEmpty || name.count > 255 { errors.append(.init(field: "name", message: name.isEmpty ? "is required" : "must be at most 255 characters")) }
        var slug = input.slug?.trimmingWhitespace().lowercased() ?? base?.slug ?? Handle(deriving: name)?.value ?? ""
        if input.slug == nil, base == nil, let current { slug = Handle(deriving: name)?.value ?? current.slug }
        if Handle(validating: slug) == nil { errors.append(.init(field: "slug", message: Handle.problemMessage)) }
        let description = input.description ?? base?.description ?? ""
        if description.utf8.count > 65_536 { errors.append(.init(field: "description", message: "must be at most 64 KiB")) }
        let position = input.position ?? base?.position ?? 0
        if !(0...1_000_000).contains(position) { errors.append(.init(field: "position", message: "must be from 0 to 1000000")) }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return Category(
            id: current?.id ?? Identifier.make("cat", date: now), name: name, slug: slug, description: description,
            position: position, createdAt: current?.createdAt ?? now.stamp, updatedAt: now.stamp
        )
    }

    static func category(_ row: any SQLRow) throws -> Category {
        Category(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            slug: try row.decode(column: "slug", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            position: try row.decode(column: "position", as: Int.self),
            createdAt: try row.decode(column: "created_at", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: String.self)
        )
    }
}
