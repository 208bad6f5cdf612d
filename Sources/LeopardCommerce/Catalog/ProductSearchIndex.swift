import LeopardStorage
import SQLKit

/// Full-text search over title, tags and description, ranked by relevance. SQLite keeps an FTS5
/// table in step with the products (in the same transaction); PostgreSQL derives a weighted
/// `tsvector` column itself, with a GIN index.
struct ProductSearchIndex {
    let kind: DatabaseKind

    /// Indexes a product (after its row is written), replacing what was indexed before.
    func replace(productID: String, title: String, description: String, tags: String, on sql: any SQLDatabase) async throws {
        guard kind == .sqlite else { return }
        let row = try await sql.raw("SELECT search_id FROM products WHERE id = \(bind: productID)").first()
        var searchID = try row?.decode(column: "search_id", as: Int?.self)
        if let searchID {
            try await sql.raw("DELETE FROM product_search WHERE rowid = \(bind: searchID)").run()
        } else {
            let next = try await sql.raw("SELECT COALESCE(MAX(search_id), 0) + 1 AS next FROM products").first()?.decode(column: "next", as: Int.self) ?? 1
            try await sql.raw("UPDATE products SET search_id = \(bind: next) WHERE id = \(bind: productID)").run()
            searchID = next
        }
        try await sql.raw(
            "INSERT INTO product_search (rowid, product_id, title, description, tags) VALUES (\(bind: searchID), \(bind: productID), \(bind: title), \(bind: description), \(bind: tags))"
        ).run()
    }

    /// Removes a product from the index; call before deleting its row.
    func remove(productID: String, on sql: any SQLDatabase) async throws {
        guard kind == .sqlite else { return }
        guard
            let searchID = try await sql.raw("SELECT search_id FROM products WHERE id = \(bind: productID)").first()?.decode(column: "search_id", as: Int?.self)
        else { return }
        try await sql.raw("DELETE FROM product_search WHERE rowid = \(bind: searchID)").run()
    }

    /// The words of a shopper's query: letters and digits only, at most ten, so that neither
    /// FTS5's nor `to_tsquery`'s syntax can be injected. Each matches as a prefix.
    static func terms(_ query: String) -> [String] {
        var terms: [String] = []
        var current = ""
        for character in query.lowercased() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                terms.append(current)
                current = ""
            }
        }
        if !current.isEmpty { terms.append(current) }
        return Array(terms.prefix(10).map { String($0.prefix(64)) })
    }

    /// The match expression for `terms` in this engine's syntax (bound as a value).
    func matchExpression(_ terms: [String]) -> String {
        switch kind {
        case .sqlite: return terms.map { "\"\($0)\"*" }.joined(separator: " ")
        case .postgres: return terms.map { "\($0):*" }.joined(separator: " & ")
        }
    }
}
