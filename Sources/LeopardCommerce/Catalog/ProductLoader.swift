import LeopardCore
import SQLKit

/// Reads whole products (variants, images, categories, tags) for a list of ids in five
/// queries, whatever the number of products, and returns them in the order of `ids`. `fetch`
/// reads the rows; `build` turns them into products, and can run after the connection is given
/// back, so that decoding does not hold one of the store's few readers.
struct ProductLoader {
    let sql: any SQLDatabase
    let currency: String

    struct Rows: Sendable {
        var products: [any SQLRow] = []
        var variants: [any SQLRow] = []
        var images: [any SQLRow] = []
        var categories: [any SQLRow] = []
        var tags: [any SQLRow] = []
    }

    static let productColumns = "id, title, slug, description, status, category_id, options_json, created_at, updated_at, tax_class, seo_title, seo_description"

    func load(ids: [String]) async throws -> [Product] {
        try Self.build(try await fetch(ids: ids), ids: ids, currency: currency)
    }

    func fetch(ids: [String]) async throws -> Rows {
        guard !ids.isEmpty else { return Rows() }
        var rows = Rows()
        rows.products = try await sql.raw("SELECT \(unsafeRaw: Self.productColumns) FROM products WHERE id IN (\(binds: ids))").all()
        rows.variants = try await sql.raw(
            """
            SELECT id, product_id, sku, title, options_json, price, compare_at_price, stock, track_inventory, weight_grams, image_id
            FROM product_variants WHERE product_id IN (\(binds: ids)) ORDER BY product_id, position
            """
        ).all()
        rows.images = try await sql.raw(
            "SELECT id, product_id, url, alt, position FROM product_images WHERE product_id IN (\(binds: ids)) ORDER BY product_id, position"
        ).all()
        rows.categories = try await sql.raw(
            "SELECT product_id, category_id FROM product_categories WHERE product_id IN (\(binds: ids)) ORDER BY product_id, position"
        ).all()
        rows.tags = try await sql.raw("SELECT product_id, tag FROM product_tags WHERE product_id IN (\(binds: ids)) ORDER BY product_id, position").all()
        return rows
    }

    static func build(_ rows: Rows, ids: [String], currency: String) throws -> [Product] {
        let (productRows, variantRows, imageRows, categoryRows, tagRows) = (rows.products, rows.variants, rows.images, rows.categories, rows.tags)
        var categories: [String: [String]] = [:]
        for row in categoryRows {
            categories[try row.decode(column: "product_id", as: String.self), default: []].append(try row.decode(column: "category_id", as: String.self))
        }
        var variants: [String: [ProductVariant]] = [:]
        for row in variantRows {
            variants[try row.decode(column: "product_id", as: String.self), default: []].append(try Self.variant(row, currency: currency))
        }
        var images: [String: [ProductImage]] = [:]
        for row in imageRows {
            images[try row.decode(column: "product_id", as: String.self), default: []].append(
                ProductImage(
                    id: try row.decode(column: "id", as: String.self),
                    url: try row.decode(column: "url", as: String.self),
                    alt: try row.decode(column: "alt", as: String.self),
                    position: try row.decode(column: "position", as: Int.self)
                ))
        }
        var tags: [String: [String]] = [:]
        for row in tagRows {
            tags[try row.decode(column: "product_id", as: String.self), default: []].append(try row.decode(column: "tag", as: String.self))
        }

        var byID: [String: Product] = [:]
        for row in productRows {
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
