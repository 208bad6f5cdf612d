import LeopardCore
import SQLKit

/// Reads whole products (variants, images, categories, tags) for a list of ids in two
/// statements, whatever the number of products, and returns them in the order of `ids`: the
/// products, then every child row in one `UNION ALL` (each statement is a round trip on
/// PostgreSQL and a thread-pool hop on SQLite). `fetch` reads the rows; `build` turns them into
/// products, and can run after the connection is given back, so that decoding does not hold
/// one of the store's few readers.
struct ProductLoader {
    let sql: any SQLDatabase
    let currency: String

    struct Rows: Sendable {
        var products: [any SQLRow] = []
        /// Variants, images, categories and tags, told apart by `kind` (see `Child`).
        var children: [any SQLRow] = []
    }

    /// The `kind` column of a child row.
    enum Child: Int {
        case variant = 0
        case image = 1
        case category = 2
        case tag = 3
    }

    static let productColumnNames = [
        "id", "title", "slug", "description", "status", "category_id", "options_json", "created_at", "updated_at", "tax_class", "seo_title",
        "seo_description",
    ]
    static let productColumns = productColumnNames.joined(separator: ", ")
    /// The same columns, qualified by the alias `p` for queries that join other tables.
    static let qualifiedProductColumns = productColumnNames.map { "p." + $0 }.joined(separator: ", ")

    func load(ids: [String]) async throws -> [Product] {
        try Self.build(try await fetch(ids: ids), ids: ids, currency: currency)
    }

    func fetch(ids: [String]) async throws -> Rows {
        guard !ids.isEmpty else { return Rows() }
        let products = try await sql.raw("SELECT \(unsafeRaw: Self.productColumns) FROM products WHERE id IN (\(binds: ids))").all()
        return Rows(products: products, children: try await children(of: ids))
    }

    /// Every child row of these products in one statement, ordered by kind, product and
    /// position. Columns a kind does not have are NULL.
    func children(of ids: [String]) async throws -> [any SQLRow] {
        guard !ids.isEmpty else { return [] }
        return try await sql.raw(
            """
            SELECT 0 AS kind, product_id, position, id, sku, title, options_json, price, compare_at_price, stock, track_inventory,
                weight_grams, image_id, NULL AS url, NULL AS alt
            FROM product_variants WHERE product_id IN (\(binds: ids))
            UNION ALL
            SELECT 1, product_id, position, id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, url, alt
            FROM product_images WHERE product_id IN (\(binds: ids))
            UNION ALL
            SELECT 2, product_id, position, category_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
            FROM product_categories WHERE product_id IN (\(binds: ids))
            UNION ALL
            SELECT 3, product_id, position, tag, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
            FROM product_tags WHERE product_id IN (\(binds: ids))
            ORDER BY 1, 2, 3
            """
        ).all()
    }

    static func build(_ rows: Rows, ids: [String], currency: String) throws -> [Product] {
        var categories: [String: [String]] = [:]
        var variants: [String: [ProductVariant]] = [:]
        var images: [String: [ProductImage]] = [:]
        var tags: [String: [String]] = [:]
        for row in rows.children {
            let productID = try row.decode(column: "product_id", as: String.self)
            switch Child(rawValue: try row.decode(column: "kind", as: Int.self)) {
            case .variant: variants[productID, default: []].append(try Self.variant(row, currency: currency))
            case .image:
                images[productID, default: []].append(
                    ProductImage(
                        id: try row.decode(column: "id", as: String.self),
                        url: try row.decode(column: "url", as: String.self),
                        alt: try row.decode(column: "alt", as: String.self),
                        position: try row.decode(column: "position", as: Int.self)
                    ))
            case .category: categories[productID, default: []].append(try row.decode(column: "id", as: String.self))
            case .tag: tags[productID, default: []].append(try row.decode(column: "id", as: String.self))
            case nil: continue
            }
        }

        var byID: [String: Product] = [:]
        for row in rows.products {
            let id = try row.decode(column: "id", as: String.self)
            // A variant's image that is no longer among the product's is forgotten.
            let imageIDs = Set((images[id] ?? []).map(\.id))
            let productVariants = (variants[id] ?? []).map { variant in
                var variant = variant
                if let image = variant.imageId, !imageIDs.contains(image) { variant.imageId = nil }
                return variant
            }
            let options = try JSONText.decode([ProductOption].self, from: try row.decode(column: "options_json", as: String.self))
            let tracked = productVariants.filter(\.trackInventory)
            byID[id] = Product(
                id: id,
                title: try row.decode(column: "title", as: String.self),
                slug: try row.decode(column: "slug", as: String.self),
                description: try row.decode(column: "description", as: String.self),
                status: ProductStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .draft,
                images: images[id] ?? [],
                options: options,
                variants: productVariants,
                price: Money(amount: productVariants.map(\.price.amount).min() ?? 0, currency: currency),
                stock: tracked.reduce(0) { $0 + $1.stock },
                inStock: productVariants.contains(where: \.inStock),
                tags: tags[id] ?? [],
                categoryId: try row.decode(column: "category_id", as: String?.self),
                categoryIds: categories[id] ?? [],
                taxClass: TaxClass(rawValue: try row.decode(column: "tax_class", as: String.self)) ?? .standard,
                seoTitle: try row.decode(column: "seo_title", as: String?.self),
                seoDescription: try row.decode(column: "seo_description", as: String?.self),
                createdAt: try row.decode(column: "created_at", as: String.self),
                updatedAt: try row.decode(column: "updated_at", as: String.self)
            )
        }
        return ids.compactMap { byID[$0] }
    }

    static func variant(_ row: any SQLRow, currency: String) throws -> ProductVariant {
        let compare = try row.decode(column: "compare_at_price", as: Int?.self)
        return ProductVariant(
            id: try row.decode(column: "id", as: String.self),
            sku: try row.decode(column: "sku", as: String?.self),
            title: try row.decode(column: "title", as: String.self),
            options: try JSONText.decode([String: String].self, from: try row.decode(column: "options_json", as: String.self)),
            price: Money(amount: try row.decode(column: "price", as: Int.self), currency: currency),
            compareAtPrice: compare.map { Money(amount: $0, currency: currency) },
            stock: try row.decode(column: "stock", as: Int.self),
            trackInventory: try row.decode(column: "track_inventory", as: Int.self) != 0,
            weight: try row.decode(column: "weight_grams", as: Int?.self),
            imageId: try row.decode(column: "image_id", as: String?.self)
        )
    }
}
