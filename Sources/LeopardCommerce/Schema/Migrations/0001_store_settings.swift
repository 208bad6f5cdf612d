import LeopardStorage

extension StoreSchema {
    public static let m0001StoreSettings =
        Migration(
            "0001_store_settings",
            [
                """
                CREATE TABLE store_settings (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    name TEXT NOT NULL,
                    currency TEXT NOT NULL DEFAULT 'USD',
                    contact_email TEXT,
                    updated_at TEXT NOT NULL
                )
                """
            ])
}
