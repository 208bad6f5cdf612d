import LeopardStorage

/// The schema of every store database. Applied to the template at start-up and to any store
/// database that is behind when it is opened.
public enum StoreSchema {
    /// Tables whose changes can change what the catalog API shows (prices, currency…): database
    /// triggers bump `catalog_state.version` on any change, whoever makes it, but for a
    /// variant's stock alone and the settings row's order number (migration 0035), and cached
    /// catalog responses are valid only for the version they were made at (and for at most
    /// `ResponseCache.stockMaxAge`, which bounds how old their stock is).
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
}
