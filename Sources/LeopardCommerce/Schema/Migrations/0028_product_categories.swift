import LeopardStorage

extension StoreSchema {
    /// A product in several categories; the first is its main one (`products.category_id`,
    /// kept for the CSV and older clients). A change raises the catalog's version.
    public static let m0028ProductCategories =
        Migration(
            "0028_product_categories",
            sqlite: productCategoriesTable
                + ["INSERT", "UPDATE", "DELETE"].map { operation in
                    """
                    CREATE TRIGGER product_categories_\(operation.lowercased())_catalog_version AFTER \(operation) ON product_categories
                    BEGIN UPDATE catalog_state SET version = version + 1 WHERE id = 1; END
                    """
                },
            postgres: productCategoriesTable + [
                """
                CREATE TRIGGER product_categories_catalog_version AFTER INSERT OR UPDATE OR DELETE ON product_categories
                FOR EACH STATEMENT EXECUTE FUNCTION leopard_catalog_changed()
                """
            ])

    static let productCategoriesTable = [
        """
        CREATE TABLE product_categories (
            product_id TEXT NOT NULL,
            category_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (product_id, category_id)
        )
        """,
        "CREATE INDEX product_categories_category ON product_categories (category_id)",
        "INSERT INTO product_categories (product_id, category_id, position) SELECT id, category_id, 0 FROM products WHERE category_id IS NOT NULL",
    ]
}
