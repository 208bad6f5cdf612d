import LeopardStorage

extension StoreSchema {
    public static let m0006Customers =
        Migration(
            "0006_customers",
            [
                """
                CREATE TABLE customers (
                    id TEXT PRIMARY KEY,
                    email TEXT NOT NULL UNIQUE,
                    password_hash TEXT,
                    first_name TEXT,
                    last_name TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX customers_created ON customers (created_at)",
                """
                CREATE TABLE customer_sessions (
                    id TEXT PRIMARY KEY,
                    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
                    token_sha256 TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    revoked_at TEXT
                )
                """,
                """
                CREATE TABLE customer_addresses (
                    id TEXT PRIMARY KEY,
                    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
                    address_json TEXT NOT NULL,
                    is_default INTEGER NOT NULL DEFAULT 0,
                    created_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX customer_addresses_customer ON customer_addresses (customer_id)",
            ])
}
