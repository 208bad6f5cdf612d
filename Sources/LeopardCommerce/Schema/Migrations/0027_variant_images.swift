import LeopardStorage

extension StoreSchema {
    /// A variant may show one of its product's images (the red one in red).
    public static let m0027VariantImages =
        Migration(
            "0027_variant_images",
            ["ALTER TABLE product_variants ADD COLUMN image_id TEXT"])
}
