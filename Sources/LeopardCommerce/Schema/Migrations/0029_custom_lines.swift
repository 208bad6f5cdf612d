import LeopardStorage

extension StoreSchema {
    /// Lines a draft order sells that are not in the catalog (a repair, a setup fee): a title
    /// and a price of their own, no stock. On an order such a line is marked `custom` and keeps
    /// its tax class; its product and variant are the empty string, because SQLite cannot drop
    /// the columns' NOT NULL without rebuilding `order_lines`, and a rebuild would cascade into
    /// the fulfilment and return lines that point at it.
    public static let m0029CustomLines =
        Migration(
            "0029_custom_lines",
            [
                """
                CREATE TABLE cart_custom_lines (
                    id TEXT PRIMARY KEY,
                    cart_id TEXT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    title TEXT NOT NULL,
                    unit_price BIGINT NOT NULL CHECK (unit_price >= 0),
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    tax_class TEXT NOT NULL,
                    weight_grams INTEGER,
                    created_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX cart_custom_lines_cart ON cart_custom_lines (cart_id)",
                "ALTER TABLE order_lines ADD COLUMN custom INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE order_lines ADD COLUMN tax_class TEXT",
            ])
}
