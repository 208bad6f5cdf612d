import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Products of one store, in that store's database: create, replace, patch, delete, read.
public struct ProductCatalog: Sendable {
    public let database: any DatabaseHandle
    public let currency: String

    public init(database: any DatabaseHandle, currency: String) {
        self.database = database
        self.currency = currency
    }

    // MARK: Writes

    public func create(_ input: ProductInput, actor: String, now: Date = Date()) async throws -> Product {
        let draft = try ProductDraft.empty.applying(input, storeCurrency: currency, existing: nil)
        let id = Identifier.make("prod", date: now)
        try await database.write { sql in
            try await self.save(draft, id: id, existing: nil, actor: actor, now: now, on: sql)
        }
        return try await require(id)
    }

    /// `PUT` (replace: absent fields take their defaults) or `PATCH` (absent fields stay).
    public func update(
        id: String, with input: ProductInput, replacing: Bool, actor: String, now: Date = Date()
    ) async throws -> (product: Product, orphanedFiles: [String]) {
        let currency = self.currency
        let orphans = try await database.write { sql in
            guard let existing = try await self.loadForUpdate(id: id, on: sql) else {
                throw Problem.notFound("There is no product \(id.prefix(64)).")
            }
            var base = replacing ? ProductDraft.empty : ProductDraft(existing)
            if replacing {
                // A replacement keeps the variants' identity (carts and orders point at them).
                base.variants = existing.variants.map {
                    ProductDraft.Variant(
                        id: $0.id, sku: $0.sku, title: $0.title, options: $0.options, price: $0.price.amount, compareAtPrice: $0.compareAtPrice?.amount,
                        stock: $0.stock, trackInventory: $0.trackInventory, weightGrams: $0.weight)
                }
                // Without a list of variants, a replacement that adds or drops the options
                // starts from none: the old ones cannot fit the new options.
                if input.variants == nil && (input.options ?? []).isEmpty != existing.options.isEmpty { base.variants = [] }
            }
            let draft = try base.applying(input, storeCurrency: currency, existing: existing)
            return try await self.save(draft, id: id, existing: existing, actor: actor, now: now, on: sql)
        }
        return (try await require(id), orphans)
    }

    /// Deletes a product with its variants, images and tags (orders keep their own copies).
    /// Returns the uploaded files it used, for the caller to delete, or nil when there was none.
    public func delete(id: String, now: Date = Date()) async throws -> [String]? {
        let kind = database.kind
        return try await database.write { sql in
            let files = try await sql.raw("SELECT file_name FROM product_images WHERE product_id = \(bind: id) AND file_name IS NOT NULL").all().map {
                try $0.decode(column: "file_name", as: String.self)
            }
            try await ProductSearchIndex(kind: kind).remove(productID: id, on: sql)
            guard try await sql.raw("DELETE FROM products WHERE id = \(bind: id) RETURNING id").first() != nil else { return nil }
            struct Deleted: Encodable { let id: String }
            try await Outbox.publish(.productDeleted, objectID: id, now: now, on: sql) { Deleted(id: id) }
            return files
        }
    }

    /// The product as it is now, read to be written back in the same transaction. On
    /// PostgreSQL its variant rows are locked first, by id (the order every transaction locks
    /// them in): a checkout that took stock meanwhile has committed by then, so the stock read
    /// here, and written back by `save`, is not an older figure that would undo the sale.
    func loadForUpdate(id: String, on sql: any SQLDatabase) async throws -> Product? {
        if database.kind == .postgres {
            try await sql.raw("SELECT id FROM product_variants WHERE product_id = \(bind: id) ORDER BY id FOR UPDATE").run()
        }
        return try await ProductLoader(sql: sql, currency: currency).load(ids: [id]).first
    }

    /// Writes the product; returns the uploaded files it no longer uses.
    @discardableResult
    func save(_ draft: ProductDraft, id: String, existing: Product?, actor: String, now: Date, on sql: any SQLDatabase) async throws -> [String] {
        let stamp = now.stamp
        let title = draft.title ?? ""
        for (index, categoryId) in draft.categoryIds.enumerated() {
            guard try await sql.raw("SELECT id FROM categories WHERE id = \(bind: categoryId)").first() != nil else {
                throw Problem.invalid(draft.categoryIds.count == 1 ? "categoryId" : "categoryIds.\(index)", "is not a category of this store")
            }
        }
        let slug = try await uniqueSlug(draft, title: title, productID: id, on: sql)
        try await checkSKUs(draft, productID: id, on: sql)
        let minPrice = draft.variants.compactMap(\.price).min() ?? 0
        let options = try JSONText.encode(draft.options)
        let tagsText = draft.tags.joined(separator: " ")

        if existing == nil {
            try await sql.raw(
                """
                INSERT INTO products (id, title, slug, description, status, category_id, options_json, tags_text, min_price, tax_class, seo_title, seo_description,
                                      created_at, updated_at)
                VALUES (\(bind: id), \(bind: title), \(bind: slug), \(bind: draft.description), \(bind: draft.status.rawValue), \(bind: draft.categoryId), \(bind: options), \(bind: tagsText), \(bind: minPrice),
                        \(bind: draft.taxClass.rawValue), \(bind: draft.seoTitle), \(bind: draft.seoDescription), \(bind: stamp), \(bind: stamp))
                """
            ).run()
        } else {
            try await sql.raw(
                """
                UPDATE products SET title = \(bind: title), slug = \(bind: slug), description = \(bind: draft.description), status = \(bind: draft.status.rawValue),
                    category_id = \(bind: draft.categoryId), options_json = \(bind: options), tags_text = \(bind: tagsText), min_price = \(bind: minPrice),
                    tax_class = \(bind: draft.taxClass.rawValue), seo_title = \(bind: draft.seoTitle), seo_description = \(bind: draft.seoDescription),
                    updated_at = \(bind: stamp)
                WHERE id = \(bind: id)
                """
            ).run()
        }

        try await Self.saveVariants(draft, productID: id, existing: existing, actor: actor, now: now, on: sql)
        let orphans = try await Self.saveImages(draft, productID: id, now: now, on: sql)
        try await sql.raw("DELETE FROM product_tags WHERE product_id = \(bind: id)").run()
        for (position, tag) in draft.tags.enumerated() {
            try await sql.raw("INSERT INTO product_tags (product_id, tag, position) VALUES (\(bind: id), \(bind: tag), \(bind: position))").run()
        }
        try await sql.raw("DELETE FROM product_categories WHERE product_id = \(bind: id)").run()
        for (position, categoryId) in draft.categoryIds.enumerated() {
            try await sql.raw(
                "INSERT INTO product_categories (product_id, category_id, position) VALUES (\(bind: id), \(bind: categoryId), \(bind: position))"
            ).run()
        }
        try await ProductSearchIndex(kind: database.kind).replace(productID: id, title: title, description: draft.description, tags: tagsText, on: sql)
        try await announce(existing == nil ? .productCreated : .productUpdated, productID: id, now: now, on: sql)
        return orphans
    }

    /// `product.created` or `product.updated`, with the product as the API shows it to staff.
    func announce(_ topic: WebhookTopic, productID: String, now: Date, on sql: any SQLDatabase) async throws {
        let currency = self.currency
        try await Outbox.publish(topic, objectID: productID, now: now, on: sql) {
            try await ProductLoader(sql: sql, currency: currency).load(ids: [productID]).first
        }
    }

    /// The requested handle (409 when another product has it), or one derived from the title
    /// with `-2`, `-3`… appended until it is free.
    private func uniqueSlug(_ draft: ProductDraft, title: String, productID: String, on sql: any SQLDatabase) async throws -> String {
        func taken(_ slug: String) async throws -> Bool {
            try await sql.raw("SELECT id FROM products WHERE slug = \(bind: slug) AND id <> \(bind: productID)").first() != nil
        }
        if let slug = draft.slug {
            if try await taken(slug) {
                throw Problem.conflict("Another product has the handle \(slug).", errors: [.init(field: "slug", message: "is taken")])
            }
            return slug
        }
        let base = Handle(deriving: title) ?? Handle(validating: "product")!
        if try await !taken(base.value) { return base.value }
        for number in 2...50 where try await !taken(base.numbered(number).value) {
            return base.numbered(number).value
        }
        return base.numbered(Int.random(in: 1000...999_999)).value
    }

    private func checkSKUs(_ draft: ProductDraft, productID: String, on sql: any SQLDatabase) async throws {
        let skus = draft.variants.compactMap(\.sku)
        guard !skus.isEmpty else { return }
        let rows = try await sql.raw("SELECT sku FROM product_variants WHERE sku IN (\(binds: skus)) AND product_id <> \(bind: productID)").all()
        let taken = Set(try rows.map { try $0.decode(column: "sku", as: String.self) })
        guard !taken.isEmpty else { return }
        let errors = draft.variants.enumerated().compactMap { index, variant -> Problem.FieldError? in
            guard let sku = variant.sku, taken.contains(sku) else { return nil }
            return .init(field: draft.options.isEmpty ? "sku" : "variants.\(index).sku", message: "is used by another product")
        }
        throw Problem.conflict("A SKU is used by another product.", errors: errors)
    }

    // MARK: Images

    /// Appends an image (an uploaded file's URL, or an external one) to a product.
    public func addImage(productID: String, url: String, alt: String, fileName: String?, now: Date = Date()) async throws -> Product {
        let alt = alt.trimmingWhitespace()
        if alt.count > 512 { throw Problem.invalid("alt", "must be at most 512 characters") }
        // A multipart part reaches here as raw bytes (JSON and forms are checked at the edge).
        if alt.unicodeScalars.contains("\u{0}") { throw Problem.invalid("alt", "must not contain a NUL character") }
        if fileName == nil, let problem = ProductDraft.urlProblem(url) { throw Problem.invalid("url", problem) }
        try await database.write { sql in
            guard try await sql.raw("SELECT id FROM products WHERE id = \(bind: productID)").first() != nil else {
                throw Problem.notFound("There is no product \(productID.prefix(64)).")
            }
            let count =
                try await sql.raw("SELECT COUNT(*) AS n FROM product_images WHERE product_id = \(bind: productID)").first()?.decode(column: "n", as: Int.self)
                ?? 0
            guard count < ProductDraft.maximumImages else { throw Problem.conflict("A product has at most \(ProductDraft.maximumImages) images.") }
            let position =
                try await sql.raw("SELECT COALESCE(MAX(position), -1) + 1 AS next FROM product_images WHERE product_id = \(bind: productID)").first()?.decode(
                    column: "next", as: Int.self) ?? 0
            try await sql.raw(
                """
                INSERT INTO product_images (id, product_id, url, alt, position, file_name, created_at)
                VALUES (\(bind: Identifier.make("img", date: now)), \(bind: productID), \(bind: url), \(bind: alt), \(bind: position), \(bind: fileName), \(bind: now.stamp))
                """
            ).run()
            try await sql.raw("UPDATE products SET updated_at = \(bind: now.stamp) WHERE id = \(bind: productID)").run()
            try await self.announce(.productUpdated, productID: productID, now: now, on: sql)
        }
        return try await require(productID)
    }

    /// Removes an image; returns the stored file's name, if it was an upload, for the caller to
    /// delete. Nil result with `removed == false` when there is no such image.
    /// Shows one of the product's images for a variant (nil: none of its own).
    public func setVariantImage(productID: String, variantID: String, imageID: String?, now: Date = Date()) async throws -> Product {
        try await database.write { sql in
            guard variantID.utf8.count <= 64,
                try await sql.raw("SELECT id FROM product_variants WHERE id = \(bind: variantID) AND product_id = \(bind: productID)").first() != nil
            else { throw Problem.notFound("This product has no variant \(variantID.prefix(64)).") }
            if let imageID {
                guard imageID.utf8.count <= 64,
                    try await sql.raw("SELECT id FROM product_images WHERE id = \(bind: imageID) AND product_id = \(bind: productID)").first() != nil
                else { throw Problem.invalid("imageId", "is not an image of this product") }
            }
            try await sql.raw("UPDATE product_variants SET image_id = \(bind: imageID) WHERE id = \(bind: variantID)").run()
            try await sql.raw("UPDATE products SET updated_at = \(bind: now.stamp) WHERE id = \(bind: productID)").run()
            try await self.announce(.productUpdated, productID: productID, now: now, on: sql)
        }
        guard let product = try await find(productID, includeHidden: true) else { throw Problem.notFound("There is no product \(productID.prefix(64)).") }
        return product
    }

    public func removeImage(productID: String, imageID: String, now: Date = Date()) async throws -> (removed: Bool, fileName: String?) {
        try await database.write { sql in
            guard
                let row = try await sql.raw("DELETE FROM product_images WHERE id = \(bind: imageID) AND product_id = \(bind: productID) RETURNING file_name")
                    .first()
            else {
                return (false, nil)
            }
            try await sql.raw("UPDATE product_variants SET image_id = NULL WHERE product_id = \(bind: productID) AND image_id = \(bind: imageID)").run()
            try await sql.raw("UPDATE products SET updated_at = \(bind: now.stamp) WHERE id = \(bind: productID)").run()
            try await self.announce(.productUpdated, productID: productID, now: now, on: sql)
            return (true, try row.decode(column: "file_name", as: String?.self))
        }
    }

    // MARK: Reads

    /// A product by id or handle; `includeHidden` is false for shoppers, who see active ones only.
    public func find(_ idOrSlug: String, includeHidden: Bool) async throws -> Product? {
        let currency = self.currency
        let product = try await database.read { sql -> Product? in
            let idRow = try await sql.raw(
                "SELECT id FROM products WHERE id = \(bind: idOrSlug) OR slug = \(bind: idOrSlug) ORDER BY CASE WHEN id = \(bind: idOrSlug) THEN 0 ELSE 1 END LIMIT 1"
            ).first()
            guard let id = try idRow?.decode(column: "id", as: String.self) else { return nil }
            return try await ProductLoader(sql: sql, currency: currency).load(ids: [id]).first
        }
        guard let product, includeHidden || product.status == .active else { return nil }
        return product
    }

    private func require(_ id: String) async throws -> Product {
        guard let product = try await find(id, includeHidden: true) else { throw Problem.notFound("There is no product \(id.prefix(64)).") }
        return product
    }
}
