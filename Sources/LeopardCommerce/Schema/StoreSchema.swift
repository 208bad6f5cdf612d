import LeopardStorage

/// The schema of every store database. Applied to the template at start-up and to any store
/// database that is behind when it is opened.
public enum StoreSchema {
    public static let migrations: [Migration] = [
        Migration("0001_store_settings", [
            """
            CREATE TABLE store_settings (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                name TEXT NOT NULL,
                currency TEXT NOT NULL DEFAULT 'USD',
                contact_email TEXT,
                updated_at TEXT NOT NULL
            )
            """,
        ]),
        Migration("0002_staff_members", [
            """
            CREATE TABLE staff_members (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                password_hash TEXT,
                role TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
                setup_token_sha256 TEXT,
                setup_token_expires_at TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX staff_members_setup_token ON staff_members (setup_token_sha256)",
        ]),
        Migration("0003_staff_credentials", [
            """
            CREATE TABLE staff_sessions (
                id TEXT PRIMARY KEY,
                staff_id TEXT NOT NULL REFERENCES staff_members (id) ON DELETE CASCADE,
                token_sha256 TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                revoked_at TEXT
            )
            """,
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                secret_sha256 TEXT NOT NULL UNIQUE,
                hint TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                last_used_at TEXT,
                revoked_at TEXT
            )
            """,
        ]),
        Migration("0004_store_settings_commerce", [
            "ALTER TABLE store_settings ADD COLUMN tax_rate_bps INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE store_settings ADD COLUMN shipping_rate BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE store_settings ADD COLUMN logo_url TEXT",
            "ALTER TABLE store_settings ADD COLUMN theme_json TEXT NOT NULL DEFAULT '{}'",
            "ALTER TABLE store_settings ADD COLUMN next_order_number BIGINT NOT NULL DEFAULT 1001",
        ]),
        Migration("0005_catalog", sqlite: catalogTables + [
            // Rows are keyed by products.search_id, so updates delete by rowid, not by a scan.
            "CREATE VIRTUAL TABLE product_search USING fts5(product_id UNINDEXED, title, description, tags, tokenize = 'unicode61 remove_diacritics 2')",
            "CREATE UNIQUE INDEX products_search_id ON products (search_id)",
        ], postgres: catalogTables + [
            """
            ALTER TABLE products ADD COLUMN search tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||
                setweight(to_tsvector('simple', coalesce(tags_text, '')), 'B') ||
                setweight(to_tsvector('simple', coalesce(description, '')), 'C')
            ) STORED
            """,
            "CREATE INDEX products_search ON products USING GIN (search)",
        ]),
        Migration("0006_customers", [
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
        ]),
        Migration("0007_carts_orders", [
            """
            CREATE TABLE carts (
                id TEXT PRIMARY KEY,
                secret_sha256 TEXT NOT NULL,
                email TEXT,
                customer_id TEXT,
                status TEXT NOT NULL CHECK (status IN ('active', 'completed')),
                order_id TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                expires_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX carts_expires ON carts (expires_at)",
            """
            CREATE TABLE cart_items (
                id TEXT PRIMARY KEY,
                cart_id TEXT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
                variant_id TEXT NOT NULL,
                quantity INTEGER NOT NULL CHECK (quantity > 0),
                created_at TEXT NOT NULL,
                UNIQUE (cart_id, variant_id)
            )
            """,
            """
            CREATE TABLE orders (
                id TEXT PRIMARY KEY,
                number BIGINT NOT NULL UNIQUE,
                cart_id TEXT UNIQUE,
                customer_id TEXT,
                email TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'fulfilled', 'cancelled', 'refunded', 'partially_refunded')),
                currency TEXT NOT NULL,
                subtotal BIGINT NOT NULL,
                shipping BIGINT NOT NULL,
                tax BIGINT NOT NULL,
                total BIGINT NOT NULL,
                refunded_total BIGINT NOT NULL DEFAULT 0,
                shipping_address_json TEXT NOT NULL,
                billing_address_json TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX orders_created ON orders (created_at)",
            "CREATE INDEX orders_status ON orders (status)",
            "CREATE INDEX orders_customer ON orders (customer_id)",
            """
            CREATE TABLE order_lines (
                id TEXT PRIMARY KEY,
                order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                product_id TEXT NOT NULL,
                variant_id TEXT NOT NULL,
                title TEXT NOT NULL,
                variant_title TEXT,
                sku TEXT,
                unit_price BIGINT NOT NULL,
                quantity INTEGER NOT NULL,
                line_total BIGINT NOT NULL
            )
            """,
            "CREATE INDEX order_lines_order ON order_lines (order_id)",
            """
            CREATE TABLE order_events (
                id TEXT PRIMARY KEY,
                order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
                type TEXT NOT NULL,
                message TEXT NOT NULL,
                actor TEXT,
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX order_events_order ON order_events (order_id)",
            """
            CREATE TABLE idempotency_keys (
                key TEXT PRIMARY KEY,
                request_sha256 TEXT NOT NULL,
                status INTEGER NOT NULL,
                response_body TEXT NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)",
        ]),
        Migration("0008_catalog_version", sqlite: [
            "CREATE TABLE catalog_state (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)",
            "INSERT INTO catalog_state (id, version) VALUES (1, 1)",
        ] + versionedTables.flatMap { table in
            ["INSERT", "UPDATE", "DELETE"].map { operation in
                "CREATE TRIGGER \(table)_\(operation.lowercased())_catalog_version AFTER \(operation) ON \(table) BEGIN UPDATE catalog_state SET version = version + 1 WHERE id = 1; END"
            }
        }, postgres: [
            "CREATE TABLE catalog_state (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)",
            "INSERT INTO catalog_state (id, version) VALUES (1, 1)",
            """
            CREATE FUNCTION leopard_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE catalog_state SET version = version + 1 WHERE id = 1;
                RETURN NULL;
            END
            $$
            """,
        ] + versionedTables.map { table in
            "CREATE TRIGGER \(table)_catalog_version AFTER INSERT OR UPDATE OR DELETE ON \(table) FOR EACH STATEMENT EXECUTE FUNCTION leopard_catalog_changed()"
        }),
        Migration("0010_order_payment_method", [
            "ALTER TABLE orders ADD COLUMN payment_method TEXT NOT NULL DEFAULT 'card'",
        ]),
        Migration("0011_webhooks", [
            """
            CREATE TABLE webhook_endpoints (
                id TEXT PRIMARY KEY,
                url TEXT NOT NULL,
                description TEXT NOT NULL DEFAULT '',
                secret_sealed TEXT NOT NULL,
                topics TEXT NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
            // What each endpoint listens to, one row per topic: the outbox finds an event's
            // subscribers with one index look-up, in the transaction that makes the change.
            """
            CREATE TABLE webhook_subscriptions (
                topic TEXT NOT NULL,
                endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
                PRIMARY KEY (topic, endpoint_id)
            )
            """,
            """
            CREATE TABLE outbox_events (
                id TEXT PRIMARY KEY,
                topic TEXT NOT NULL,
                object_id TEXT NOT NULL,
                payload_json TEXT NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE webhook_deliveries (
                id TEXT PRIMARY KEY,
                event_id TEXT NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
                endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
                status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT NOT NULL,
                give_up_at TEXT NOT NULL,
                lease_until TEXT,
                last_status_code INTEGER,
                last_error TEXT,
                last_attempt_at TEXT,
                delivered_at TEXT,
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)",
            "CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id)",
            "CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id)",
            "ALTER TABLE store_settings ADD COLUMN low_stock_threshold INTEGER NOT NULL DEFAULT 5",
        ]),
        // One-time links that sign a new owner in to the admin right after signup (the signup
        // form is on the platform's host, the admin on the store's).
        Migration("0013_staff_handoffs", [
            """
            CREATE TABLE staff_handoffs (
                token_sha256 TEXT PRIMARY KEY,
                staff_id TEXT NOT NULL REFERENCES staff_members (id) ON DELETE CASCADE,
                expires_at TEXT NOT NULL
            )
            """,
        ]),
    ]

    /// Tables whose changes can change what the catalog API shows (prices, stock, currency…):
    /// database triggers bump `catalog_state.version` on any change, whoever makes it, and
    /// cached catalog responses are valid only for the version they were made at.
    static let versionedTables = ["products", "product_variants", "product_images", "product_tags", "categories", "store_settings"]

    /// Products, variants, images, tags, categories and stock history: the same on both engines
    /// but for full-text search, which each migration adds in its own dialect.
    static let catalogTables: [String] = [
        """
        CREATE TABLE categories (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            slug TEXT NOT NULL UNIQUE,
            description TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE products (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            slug TEXT NOT NULL UNIQUE,
            description TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'archived')),
            category_id TEXT REFERENCES categories (id) ON DELETE SET NULL,
            options_json TEXT NOT NULL DEFAULT '[]',
            tags_text TEXT NOT NULL DEFAULT '',
            min_price BIGINT NOT NULL DEFAULT 0,
            search_id BIGINT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """,
        // One index per sort order, with the id as tie-breaker, so a page is an index range
        // scan whatever the store's size; shoppers' lists also filter on status first.
        "CREATE INDEX products_status_created ON products (status, created_at, id)",
        "CREATE INDEX products_created ON products (created_at, id)",
        "CREATE INDEX products_status_price ON products (status, min_price, id)",
        "CREATE INDEX products_price ON products (min_price, id)",
        "CREATE INDEX products_status_title ON products (status, title, id)",
        "CREATE INDEX products_title ON products (title, id)",
        "CREATE INDEX products_category ON products (category_id, created_at, id)",
        """
        CREATE TABLE product_variants (
            id TEXT PRIMARY KEY,
            product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            sku TEXT UNIQUE,
            title TEXT NOT NULL,
            options_json TEXT NOT NULL DEFAULT '{}',
            price BIGINT NOT NULL CHECK (price >= 0),
            compare_at_price BIGINT,
            stock BIGINT NOT NULL DEFAULT 0 CHECK (stock >= 0),
            track_inventory INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX product_variants_product ON product_variants (product_id, position)",
        """
        CREATE TABLE product_images (
            id TEXT PRIMARY KEY,
            product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            alt TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL,
            file_name TEXT,
            created_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX product_images_product ON product_images (product_id, position)",
        """
        CREATE TABLE product_tags (
            product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (product_id, tag)
        )
        """,
        "CREATE INDEX product_tags_tag ON product_tags (tag)",
        """
        CREATE TABLE inventory_adjustments (
            id TEXT PRIMARY KEY,
            variant_id TEXT NOT NULL,
            delta BIGINT NOT NULL,
            stock_after BIGINT NOT NULL,
            reason TEXT NOT NULL,
            reference TEXT,
            actor TEXT,
            created_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX inventory_adjustments_variant ON inventory_adjustments (variant_id, created_at)",
    ]

    public static var migrator: Migrator { Migrator(migrations) }
}
