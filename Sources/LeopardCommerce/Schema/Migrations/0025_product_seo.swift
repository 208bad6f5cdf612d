import LeopardStorage

extension StoreSchema {
    /// What search engines show for a product, when the merchant wants it to differ from its
    /// title and the first line of its description.
    public static let m0025ProductSEO =
        Migration(
            "0025_product_seo",
            [
                "ALTER TABLE products ADD COLUMN seo_title TEXT",
                "ALTER TABLE products ADD COLUMN seo_description TEXT",
            ])
}
