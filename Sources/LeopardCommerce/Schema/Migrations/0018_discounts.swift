import LeopardStorage

extension StoreSchema {
    /// Discount codes and automatic discounts, the codes a cart holds, and each use an order
    /// made of one (given back when the order is cancelled).
    public static let m0018Discounts =
        Migration(
            "0018_discounts",
            [
                """
                CREATE TABLE discounts (
                    id TEXT PRIMARY KEY,
                    code TEXT UNIQUE,
                    title TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    value BIGINT NOT NULL DEFAULT 0,
                    applies_to TEXT NOT NULL DEFAULT 'order',
                    buy_quantity INTEGER,
                    get_quantity INTEGER,
                    min_subtotal BIGINT,
                    min_quantity INTEGER,
                    product_ids TEXT NOT NULL DEFAULT '[]',
                    category_ids TEXT NOT NULL DEFAULT '[]',
                    customer_ids TEXT NOT NULL DEFAULT '[]',
                    starts_at TEXT,
                    ends_at TEXT,
                    usage_limit INTEGER,
                    per_customer_limit INTEGER,
                    times_used INTEGER NOT NULL DEFAULT 0,
                    combinable INTEGER NOT NULL DEFAULT 0,
                    automatic INTEGER NOT NULL DEFAULT 0,
                    active INTEGER NOT NULL DEFAULT 1,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX discounts_automatic ON discounts (automatic, active)",
                """
                CREATE TABLE cart_discounts (
                    cart_id TEXT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
                    discount_id TEXT NOT NULL REFERENCES discounts (id) ON DELETE CASCADE,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (cart_id, discount_id)
                )
                """,
                """
                CREATE TABLE discount_usages (
                    id TEXT PRIMARY KEY,
                    discount_id TEXT NOT NULL,
                    order_id TEXT NOT NULL,
                    email TEXT NOT NULL,
                    customer_id TEXT,
                    created_at TEXT NOT NULL,
                    released_at TEXT
                )
                """,
                "CREATE INDEX discount_usages_discount ON discount_usages (discount_id, email)",
                "CREATE INDEX discount_usages_order ON discount_usages (order_id)",
            ])
}
