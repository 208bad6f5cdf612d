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
    /// The category it sits under; nil at the top.
    public var parentId: String?
    public var createdAt: String
    public var updatedAt: String
}

public struct CategoryInput: Decodable, Sendable {
    public var name: String?
    public var slug: String?
    public var description: String?
    public var position: Int?
    /// null moves it to the top.
    public var parentId: Patch<String> = .absent

    enum CodingKeys: String, CodingKey { case name, slug, description, position, parentId }

    public init(name: String? = nil, slug: String? = nil, description: String? = nil, position: Int? = nil, parentId: Patch<String> = .absent) {
        (self.name, self.slug, self.description, self.position, self.parentId) = (name, slug, description, position, parentId)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        slug = try container.decodeIfPresent(String.self, forKey: .slug)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        position = try container.decodeIfPresent(Int.self, forKey: .position)
        parentId = try container.decodePatch(String.self, forKey: .parentId)
    }
}

/// Product categories of one store, as a tree at most `maximumDepth` deep. Deleting one leaves
/// its products without a category and moves its children up to its parent.
public struct Categories: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    static let columns = "id, name, slug, description, position, parent_id, created_at, updated_at"
    public static let maximumDepth = 5

    public func create(_ input: CategoryInput, now: Date = Date()) async throws -> Category {
        let category = try validated(input, over: nil, now: now)
        let lock = database.rowLock
        try await database.write { sql in
            // Tree changes one at a time (the catalog's version row, locked), so two moves at
            // once cannot make a cycle between them.
            _ = try await sql.raw("SELECT version FROM catalog_state WHERE id = 1" + lock).first()
            try await self.checkSlug(category.slug, id: category.id, on: sql)
            try await Self.checkParent(category.parentId, of: category.id, on: sql)
            try await sql.raw(
                """
                INSERT INTO categories (id, name, slug, description, position, parent_id, created_at, updated_at)
                VALUES (\(bind: category.id), \(bind: category.name), \(bind: category.slug), \(bind: category.description), \(bind: category.position),
                        \(bind: category.parentId), \(bind: category.createdAt), \(bind: category.updatedAt))
                """
            ).run()
        }
        return category
    }

    public func update(id: String, with input: CategoryInput, replacing: Bool, now: Date = Date()) async throws -> Category {
        let lock = database.rowLock
        return try await database.write { sql in
            _ = try await sql.raw("SELECT version FROM catalog_state WHERE id = 1" + lock).first()
            guard let current = try await self.find(id, on: sql) else { throw Problem.notFound("There is no category \(id.prefix(64)).") }
            let category = try self.validated(input, over: replacing ? nil : current, now: now, keeping: current)
            try await self.checkSlug(category.slug, id: id, on: sql)
            try await Self.checkParent(category.parentId, of: id, on: sql)
            try await sql.raw(
                """
                UPDATE categories SET name = \(bind: category.name), slug = \(bind: category.slug), description = \(bind: category.description),
                    position = \(bind: category.position), parent_id = \(bind: category.parentId), updated_at = \(bind: category.updatedAt)
                WHERE id = \(bind: id)
                """
            ).run()
            return category
        }
    }

    public func delete(id: String) async throws -> Bool {
        let lock = database.rowLock
        return try await database.write { sql in
            _ = try await sql.raw("SELECT version FROM catalog_state WHERE id = 1" + lock).first()
            guard let category = try await sql.raw("SELECT parent_id FROM categories WHERE id = \(bind: id)").first() else { return false }
            // Products first (products.category_id would otherwise be cleared with the row):
            // those whose main category it was take their next one as main.
            try await sql.raw("DELETE FROM product_categories WHERE category_id = \(bind: id)").run()
            try await sql.raw(
                """
                UPDATE products SET category_id = (SELECT pc.category_id FROM product_categories pc WHERE pc.product_id = products.id ORDER BY pc.position LIMIT 1)
                WHERE category_id = \(bind: id)
                """
            ).run()
            let parent = try category.decode(column: "parent_id", as: String?.self)
            try await sql.raw("UPDATE categories SET parent_id = \(bind: parent) WHERE parent_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM categories WHERE id = \(bind: id)").run()
            return true
        }
    }

    /// Every category (at most 1,000), for forms that offer them all.
    public func all() async throws -> [Category] {
        var categories: [Category] = []
        var request = PageRequest(limit: 100)
        for _ in 0..<10 {
            let page = try await list(page: request)
            categories += page.data
            guard let next = page.nextCursor else { break }
            request = try PageRequest(limit: "100", cursor: next)
        }
        return categories
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

    /// The parent must be a category here, and the tree stay a tree: not the category itself
    /// nor one under it, and at most `maximumDepth` deep.
    static func checkParent(_ parentID: String?, of id: String, on sql: any SQLDatabase) async throws {
        guard let parentID else { return }
        var depth = 1
        var cursor: String? = parentID
        while let current = cursor {
            guard current != id else { throw Problem.invalid("parentId", "cannot be the category itself or one under it") }
            guard let row = try await sql.raw("SELECT parent_id FROM categories WHERE id = \(bind: current)").first() else {
                throw Problem.invalid("parentId", "is not a category of this store")
            }
            depth += 1
            guard depth <= maximumDepth else { throw Problem.invalid("parentId", "would make the tree more than \(maximumDepth) levels deep") }
            cursor = try row.decode(column: "parent_id", as: String?.self)
        }
        let below =
            try await sql.raw(
                """
                WITH RECURSIVE tree(id, depth) AS (SELECT CAST(\(bind: id) AS TEXT), 0 UNION SELECT c.id, t.depth + 1 FROM categories c JOIN tree t ON c.parent_id = t.id WHERE t.depth < 10)
                SELECT MAX(depth) AS deepest FROM tree
                """
            ).first()?.decode(column: "deepest", as: Int?.self) ?? 0
        if depth + below > maximumDepth { throw Problem.invalid("parentId", "would make the tree more than \(maximumDepth) levels deep") }
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
        let parentId = input.parentId.applied(to: base?.parentId)
        if let parentId, parentId.isEmpty || parentId.utf8.count > 64 { errors.append(.init(field: "parentId", message: "is not a category of this store")) }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return Category(
            id: current?.id ?? Identifier.make("cat", date: now), name: name, slug: slug, description: description,
            position: position, parentId: parentId, createdAt: current?.createdAt ?? now.stamp, updatedAt: now.stamp
        )
    }

    static func category(_ row: any SQLRow) throws -> Category {
        Category(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            slug: try row.decode(column: "slug", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            position: try row.decode(column: "position", as: Int.self),
            parentId: try row.decode(column: "parent_id", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: String.self)
        )
    }
}
