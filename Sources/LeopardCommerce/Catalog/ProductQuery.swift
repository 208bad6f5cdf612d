import LeopardCore
import LeopardStorage
import SQLKit

/// The filters, sort and page of `GET /api/products`, parsed from query parameters.
public struct ProductQuery: Sendable, Equatable {
    public enum Sort: String, Sendable, CaseIterable {
        case newest
        case priceAscending = "price_asc"
        case priceDescending = "price_desc"
        case title
        /// Relevance, used (only) when there is a search query.
        case relevance
    }

    public var status: ProductStatus?
    public var categoryID: String?
    public var tag: String?
    public var minimumPrice: Int?
    public var maximumPrice: Int?
    public var inStock: Bool?
    public var search: [String] = []
    public var sort: Sort = .newest
    public var limit: Int = PageRequest.defaultLimit
    public var cursor: String?

    public init() {}

    /// Parses query parameters. `includeHidden` is false for shoppers: they see active products
    /// whatever `status` says. Bad values are a 422 naming the parameter.
    public init(parameters: [String: String], includeHidden: Bool) throws(Problem) {
        var errors: [Problem.FieldError] = []
        func fail(_ field: String, _ message: String) { errors.append(.init(field: field, message: message)) }
        func amount(_ name: String) -> Int? {
            guard let text = parameters[name] else { return nil }
            guard let value = Int(text), (0...Money.maximumAmount).contains(value) else {
                fail(name, "must be a whole number of minor units from 0 to \(Money.maximumAmount)")
                return nil
            }
            return value
        }

        if let status = parameters["status"], includeHidden {
            if let value = ProductStatus(rawValue: status) { self.status = value } else { fail("status", "must be one of draft, active, archived") }
        }
        if !includeHidden { self.status = .active }
        if let category = parameters["category"], !category.isEmpty { categoryID = category }
        if let tag = parameters["tag"], !tag.isEmpty { self.tag = tag.trimmingWhitespace().lowercased() }
        minimumPrice = amount("price_min")
        maximumPrice = amount("price_max")
        if let inStock = parameters["in_stock"] {
            switch inStock {
            case "true", "1": self.inStock = true
            case "false", "0": self.inStock = false
            default: fail("in_stock", "must be true or false")
            }
        }
        if let q = parameters["q"] {
            if q.count > 200 { fail("q", "must be at most 200 characters") } else { search = ProductSearchIndex.terms(q) }
        }
        if let sort = parameters["sort"] {
            if let value = Sort(rawValue: sort), value != .relevance {
                self.sort = value
            } else {
                fail("sort", "must be one of newest, price_asc, price_desc, title")
            }
        }
        if !search.isEmpty { self.sort = .relevance }
        do {
            let page = try PageRequest(limit: parameters["limit"], cursor: parameters["cursor"])
            limit = page.limit
            cursor = page.after
        } catch {
            errors += error.errors
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
    }
}

/// Runs a `ProductQuery`: keyset pagination for the sorts, an offset (inside the opaque cursor)
/// for relevance, whose scores are not stable keys.
struct ProductListing {
    let sql: any SQLDatabase
    let kind: DatabaseKind

    struct Position {
        let sort: ProductQuery.Sort
        let key: String
        let id: String
    }

    /// One page: the ids in order, the products' own rows (`ProductLoader.productColumns`) and
    /// the cursor of the next page.
    typealias Result = (ids: [String], products: [any SQLRow], next: String?)

    func page(for query: ProductQuery) async throws -> Result {
        var clauses: [SQLQueryString] = []
        if let status = query.status { clauses.append("p.status = \(bind: status.rawValue)") }
        if let category = query.categoryID {
            // The category and every one under it.
            clauses.append(
                """
                EXISTS (SELECT 1 FROM product_categories pc WHERE pc.product_id = p.id AND pc.category_id IN (
                    WITH RECURSIVE tree(id) AS (SELECT CAST(\(bind: category) AS TEXT) UNION SELECT c.id FROM categories c JOIN tree t ON c.parent_id = t.id)
                    SELECT id FROM tree))
                """)
        }
        if let tag = query.tag { clauses.append("EXISTS (SELECT 1 FROM product_tags t WHERE t.product_id = p.id AND t.tag = \(bind: tag))") }
        if query.minimumPrice != nil || query.maximumPrice != nil {
            clauses.append(
                "EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id AND v.price >= \(bind: query.minimumPrice ?? 0) AND v.price <= \(bind: query.maximumPrice ?? Money.maximumAmount))"
            )
        }
        if let inStock = query.inStock {
            let exists: SQLQueryString = "EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id AND (v.track_inventory = 0 OR v.stock > 0))"
            clauses.append(inStock ? exists : "NOT " + exists)
        }

        if query.sort == .relevance { return try await searchIDs(query, clauses: clauses) }

        let order: SQLQueryString
        let position = try query.cursor.map { try decode($0, sort: query.sort) }
        // Row-value comparisons, which both engines turn into index range scans.
        switch query.sort {
        case .newest, .relevance:
            order = "p.created_at DESC, p.id DESC"
            if let position { clauses.append("(p.created_at, p.id) < (\(bind: position.key), \(bind: position.id))") }
        case .priceAscending:
            order = "p.min_price ASC, p.id ASC"
            if let position { clauses.append("(p.min_price, p.id) > (\(bind: Int(position.key) ?? 0), \(bind: position.id))") }
        case .priceDescending:
            order = "p.min_price DESC, p.id DESC"
            if let position { clauses.append("(p.min_price, p.id) < (\(bind: Int(position.key) ?? 0), \(bind: position.id))") }
        case .title:
            order = "p.title ASC, p.id ASC"
            if let position { clauses.append("(p.title, p.id) > (\(bind: position.key), \(bind: position.id))") }
        }
        let whereClause: SQLQueryString = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
        let rows = try await sql.raw(
            "SELECT \(unsafeRaw: ProductLoader.qualifiedProductColumns), p.min_price FROM products p" + whereClause + " ORDER BY " + order
                + " LIMIT \(bind: query.limit + 1)"
        ).all()
        var ids: [String] = []
        var last: Position?
        for row in rows.prefix(query.limit) {
            let id = try row.decode(column: "id", as: String.self)
            ids.append(id)
            let key: String
            switch query.sort {
            case .newest, .relevance: key = try row.decode(column: "created_at", as: String.self)
            case .priceAscending, .priceDescending: key = String(try row.decode(column: "min_price", as: Int.self))
            case .title: key = try row.decode(column: "title", as: String.self)
            }
            last = Position(sort: query.sort, key: key, id: id)
        }
        let next = rows.count > query.limit ? last.map { Cursor.encode("\($0.sort.rawValue)|\($0.id)|\($0.key)") } : nil
        return (ids, Array(rows.prefix(query.limit)), next)
    }

    private func searchIDs(_ query: ProductQuery, clauses: [SQLQueryString]) async throws -> Result {
        var offset = 0
        if let cursor = query.cursor {
            let parts = cursor.split(separator: "|", maxSplits: 1)
            guard parts.count == 2, parts[0] == "relevance", let value = Int(parts[1]), value >= 0, value <= 10_000 else {
                throw Problem.invalid("cursor", "does not belong to this search")
            }
            offset = value
        }
        let index = ProductSearchIndex(kind: kind)
        let match = index.matchExpression(query.search)
        var statement: SQLQueryString
        switch kind {
        case .sqlite:
            statement = """
                SELECT \(unsafeRaw: ProductLoader.qualifiedProductColumns) FROM products p
                JOIN (SELECT product_id, bm25(product_search, 0.0, 10.0, 1.0, 5.0) AS rank FROM product_search WHERE product_search MATCH \(bind: match)) s
                  ON s.product_id = p.id
                """
            if !clauses.isEmpty { statement += " WHERE " + clauses.joined(separator: " AND ") }
            statement += " ORDER BY s.rank ASC, p.id ASC"
        case .postgres:
            var all = clauses
            all.insert("p.search @@ to_tsquery('simple', \(bind: match))", at: 0)
            statement = "SELECT \(unsafeRaw: ProductLoader.qualifiedProductColumns) FROM products p WHERE " + all.joined(separator: " AND ")
            statement += " ORDER BY ts_rank(p.search, to_tsquery('simple', \(bind: match))) DESC, p.id ASC"
        }
        statement += " LIMIT \(bind: query.limit + 1) OFFSET \(bind: offset)"
        let rows = try await sql.raw(statement).all()
        let ids = try rows.prefix(query.limit).map { try $0.decode(column: "id", as: String.self) }
        let next = rows.count > query.limit ? Cursor.encode("relevance|\(offset + query.limit)") : nil
        return (ids, Array(rows.prefix(query.limit)), next)
    }

    private func decode(_ cursor: String, sort: ProductQuery.Sort) throws -> Position {
        let parts = cursor.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == sort.rawValue, Identifier.isWellFormed(String(parts[1]), prefix: "prod") else {
            throw Problem.invalid("cursor", "does not belong to this sort order")
        }
        return Position(sort: sort, key: String(parts[2]), id: String(parts[1]))
    }
}

extension ProductCatalog {
    /// A page of products for `query`.
    public func list(_ query: ProductQuery) async throws -> Page<Product> {
        let currency = self.currency
        let kind = database.kind
        let (ids, rows, next) = try await database.read { sql in
            var query = query
            if let category = query.categoryID, !Identifier.isWellFormed(category, prefix: "cat") {
                // A category handle: resolve it; an unknown one lists nothing.
                let row = try await sql.raw("SELECT id FROM categories WHERE slug = \(bind: category)").first()
                query.categoryID = try row?.decode(column: "id", as: String.self) ?? "cat_none"
            }
            let (ids, products, next) = try await ProductListing(sql: sql, kind: kind).page(for: query)
            let children = try await ProductLoader(sql: sql, currency: currency).children(of: ids)
            return (ids, ProductLoader.Rows(products: products, children: children), next)
        }
        // Decoded once the reader is given back.
        return Page(data: try ProductLoader.build(rows, ids: ids, currency: currency), nextCursor: next)
    }
}
