import LeopardStorage

extension StoreSchema {
    public static let m0007CartsOrders =
        Migration(
            "0007_carts_orders",
            [
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
            ])
}
