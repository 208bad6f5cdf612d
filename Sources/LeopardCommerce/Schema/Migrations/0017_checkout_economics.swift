import LeopardStorage

extension StoreSchema {
    /// Tax by destination and class, shipping zones with their methods, prices that include
    /// tax, weights, a cart's address and chosen method, and what an order keeps of them (its
    /// tax lines, method and discounts, so that later changes of rates never alter it).
    public static let m0017CheckoutEconomics =
        Migration(
            "0017_checkout_economics",
            [
                """
                CREATE TABLE tax_rates (
                    id TEXT PRIMARY KEY,
                    country TEXT NOT NULL,
                    region TEXT NOT NULL DEFAULT '',
                    name TEXT NOT NULL,
                    rate_ppm INTEGER NOT NULL,
                    tax_class TEXT NOT NULL DEFAULT 'standard',
                    applies_to_shipping INTEGER NOT NULL DEFAULT 0,
                    created_at TEXT NOT NULL,
                    UNIQUE (country, region, tax_class)
                )
                """,
                """
                CREATE TABLE shipping_zones (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE shipping_zone_places (
                    place TEXT PRIMARY KEY,
                    zone_id TEXT NOT NULL REFERENCES shipping_zones (id) ON DELETE CASCADE
                )
                """,
                "CREATE INDEX shipping_zone_places_zone ON shipping_zone_places (zone_id)",
                """
                CREATE TABLE shipping_methods (
                    id TEXT PRIMARY KEY,
                    zone_id TEXT NOT NULL REFERENCES shipping_zones (id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    rate BIGINT NOT NULL DEFAULT 0,
                    bands_json TEXT NOT NULL DEFAULT '[]',
                    free_over BIGINT
                )
                """,
                "CREATE INDEX shipping_methods_zone ON shipping_methods (zone_id, position)",
                "ALTER TABLE store_settings ADD COLUMN prices_include_tax INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE products ADD COLUMN tax_class TEXT NOT NULL DEFAULT 'standard'",
                "ALTER TABLE product_variants ADD COLUMN weight_grams INTEGER",
                "ALTER TABLE carts ADD COLUMN shipping_address_json TEXT",
                "ALTER TABLE carts ADD COLUMN shipping_method_id TEXT",
                "ALTER TABLE orders ADD COLUMN discount_total BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE orders ADD COLUMN shipping_method TEXT",
                "ALTER TABLE orders ADD COLUMN tax_lines_json TEXT NOT NULL DEFAULT '[]'",
                "ALTER TABLE orders ADD COLUMN discounts_json TEXT NOT NULL DEFAULT '[]'",
                "ALTER TABLE orders ADD COLUMN prices_include_tax INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE order_lines ADD COLUMN discount BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE order_lines ADD COLUMN tax BIGINT NOT NULL DEFAULT 0",
            ])
}
