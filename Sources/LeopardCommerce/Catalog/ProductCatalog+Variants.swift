import Foundation
import LeopardCore
import SQLKit

/// The parts of `ProductCatalog.save` that write a product's variants and images.
extension ProductCatalog {
    /// Variants: update the ones that keep their id, insert new ones, delete the rest; stock
    /// changes are recorded in the stock history.
    static func saveVariants(_ draft: ProductDraft, productID: String, existing: Product?, actor: String, now: Date, on sql: any SQLDatabase) async throws {
        let stamp = now.stamp
        let before = Dictionary((existing?.variants ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let kept = Set(draft.variants.compactMap(\.id))
        for gone in before.keys where !kept.contains(gone) {
            try await sql.raw("DELETE FROM product_variants WHERE id = \(bind: gone)").run()
        }
        // Clear SKUs first so that two variants may swap theirs within one write.
        if !kept.isEmpty {
            try await sql.raw("UPDATE product_variants SET sku = NULL WHERE product_id = \(bind: productID)").run()
        }
        for (position, variant) in draft.variants.enumerated() {
            let variantTitle = draft.variantTitle(variant)
            let variantOptions = try JSONText.encode(variant.options)
            let price = variant.price ?? 0
            if let variantID = variant.id, let old = before[variantID] {
                try await sql.raw(
                    """
                    UPDATE product_variants SET position = \(bind: position), sku = \(bind: variant.sku), title = \(bind: variantTitle), options_json = \(bind: variantOptions),
                        price = \(bind: price), compare_at_price = \(bind: variant.compareAtPrice), stock = \(bind: variant.stock),
                        track_inventory = \(bind: variant.trackInventory ? 1 : 0), weight_grams = \(bind: variant.weightGrams), updated_at = \(bind: stamp)
                    WHERE id = \(bind: variantID)
                    """
                ).run()
                if old.stock != variant.stock {
                    try await Inventory.record(
                        variantID: variantID, delta: variant.stock - old.stock, stockAfter: variant.stock, reason: "product_update", reference: productID,
                        actor: actor, now: now, on: sql)
                }
            } else {
                let variantID = Identifier.make("var", date: now)
                try await sql.raw(
                    """
                    INSERT INTO product_variants (id, product_id, position, sku, title, options_json, price, compare_at_price, stock, track_inventory, weight_grams,
                                                  created_at, updated_at)
                    VALUES (\(bind: variantID), \(bind: productID), \(bind: position), \(bind: variant.sku), \(bind: variantTitle), \(bind: variantOptions), \(bind: price),
                        \(bind: variant.compareAtPrice), \(bind: variant.stock), \(bind: variant.trackInventory ? 1 : 0), \(bind: variant.weightGrams), \(bind: stamp), \(bind: stamp))
                    """
                ).run()
                if variant.stock != 0 {
                    try await Inventory.record(
                        variantID: variantID, delta: variant.stock, stockAfter: variant.stock, reason: "initial", reference: productID, actor: actor, now: now,
                        on: sql)
                }
            }
        }
    }

    /// Images that stay (same URL) keep their id and their uploaded file; returns the uploaded
    /// files no longer used, for the caller to delete after the commit.
    static func saveImages(_ draft: ProductDraft, productID: String, now: Date, on sql: any SQLDatabase) async throws -> [String] {
        let stamp = now.stamp
        var previous = try await sql.raw("SELECT id, url, file_name FROM product_images WHERE product_id = \(bind: productID)").all().map {
            (
                id: try $0.decode(column: "id", as: String.self), url: try $0.decode(column: "url", as: String.self),
                file: try $0.decode(column: "file_name", as: String?.self)
            )
        }
        try await sql.raw("DELETE FROM product_images WHERE product_id = \(bind: productID)").run()
        for (position, image) in draft.images.enumerated() {
            let kept = previous.firstIndex { $0.url == image.url }.map { previous.remove(at: $0) }
            try await sql.raw(
                """
                INSERT INTO product_images (id, product_id, url, alt, position, file_name, created_at)
                VALUES (\(bind: kept?.id ?? Identifier.make("img", date: now)), \(bind: productID), \(bind: image.url), \(bind: image.alt), \(bind: position), \(bind: kept?.file), \(bind: stamp))
                """
            ).run()
        }
        return previous.compactMap(\.file)
    }
}
