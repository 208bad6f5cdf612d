import LeopardStorage

extension StoreSchema {
    public static let m0004StoreSettingsCommerce =
        Migration(
            "0004_store_settings_commerce",
            [
                "ALTER TABLE store_settings ADD COLUMN tax_rate_bps INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE store_settings ADD COLUMN shipping_rate BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE store_settings ADD COLUMN logo_url TEXT",
                "ALTER TABLE store_settings ADD COLUMN theme_json TEXT NOT NULL DEFAULT '{}'",
                "ALTER TABLE store_settings ADD COLUMN next_order_number BIGINT NOT NULL DEFAULT 1001",
            ])
}
