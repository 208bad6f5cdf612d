import LeopardStorage

extension StoreSchema {
    /// Every column of `product_variants` but `stock`. A migration that adds a column to the
    /// table recreates the trigger below with it (a test compares this list with the table).
    public static let variantColumnsBesideStock = [
        "id", "product_id", "position", "sku", "title", "options_json", "price", "compare_at_price", "track_inventory", "created_at", "updated_at",
        "weight_grams", "image_id",
    ]

    /// Stock changes and order numbers no longer raise the catalog version: every order changes
    /// both (a variant's stock, the settings row's next order number), and with them every
    /// cached catalog page of the store was thrown away. Cached responses now live at most
    /// `ResponseCache.stockMaxAge`, so the stock they show is at most that old; everything else
    /// about a variant still raises the version at once. On PostgreSQL this also takes the
    /// catalog's row out of the locks every checkout holds until its commit.
    public static let m0035CatalogStock =
        Migration(
            "0035_catalog_stock",
            sqlite: [
                "DROP TRIGGER product_variants_update_catalog_version",
                """
                CREATE TRIGGER product_variants_update_catalog_version AFTER UPDATE OF \(variantColumnsBesideStock.joined(separator: ", ")) ON product_variants
                BEGIN UPDATE catalog_state SET version = version + 1 WHERE id = 1; END
                """,
                "DROP TRIGGER store_settings_update_catalog_version",
                """
                CREATE TRIGGER store_settings_update_catalog_version AFTER UPDATE ON store_settings
                WHEN OLD.next_order_number IS NEW.next_order_number
                BEGIN UPDATE catalog_state SET version = version + 1 WHERE id = 1; END
                """,
            ],
            postgres: [
                "DROP TRIGGER product_variants_catalog_version ON product_variants",
                """
                CREATE TRIGGER product_variants_catalog_version AFTER INSERT OR DELETE OR UPDATE OF \(variantColumnsBesideStock.joined(separator: ", "))
                ON product_variants FOR EACH STATEMENT EXECUTE FUNCTION leopard_catalog_changed()
                """,
                "DROP TRIGGER store_settings_catalog_version ON store_settings",
                "CREATE TRIGGER store_settings_catalog_version AFTER INSERT OR DELETE ON store_settings FOR EACH STATEMENT EXECUTE FUNCTION leopard_catalog_changed()",
                """
                CREATE TRIGGER store_settings_update_catalog_version AFTER UPDATE ON store_settings FOR EACH ROW
                WHEN (OLD.next_order_number IS NOT DISTINCT FROM NEW.next_order_number) EXECUTE FUNCTION leopard_catalog_changed()
                """,
            ])
}
