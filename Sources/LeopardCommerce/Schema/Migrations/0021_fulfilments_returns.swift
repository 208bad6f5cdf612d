import LeopardStorage

extension StoreSchema {
    /// Shipments (several per order, line by line, with tracking) and returns. Orders fulfilled
    /// before count every line as shipped; `restocked_quantity` keeps a whole-order restock and a
    /// return's restock from putting the same item back twice.
    public static let m0021FulfilmentsReturns =
        Migration(
            "0021_fulfilments_returns",
            [
                "ALTER TABLE order_lines ADD COLUMN fulfilled_quantity INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE order_lines ADD COLUMN returned_quantity INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE order_lines ADD COLUMN restocked_quantity INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE orders ADD COLUMN fulfillment_status TEXT NOT NULL DEFAULT 'unfulfilled'",
                "ALTER TABLE orders ADD COLUMN return_status TEXT",
                "UPDATE orders SET fulfillment_status = 'fulfilled' WHERE id IN (SELECT order_id FROM order_events WHERE type = 'fulfilled')",
                "UPDATE order_lines SET fulfilled_quantity = quantity WHERE order_id IN (SELECT id FROM orders WHERE fulfillment_status = 'fulfilled')",
                "UPDATE order_lines SET restocked_quantity = quantity WHERE order_id IN (SELECT order_id FROM order_events WHERE type = 'restocked')",
                """
                CREATE TABLE fulfillments (
                    id TEXT PRIMARY KEY,
                    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
                    carrier TEXT,
                    tracking_number TEXT,
                    tracking_url TEXT,
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX fulfillments_order ON fulfillments (order_id)",
                """
                CREATE TABLE fulfillment_lines (
                    fulfillment_id TEXT NOT NULL REFERENCES fulfillments (id) ON DELETE CASCADE,
                    order_line_id TEXT NOT NULL REFERENCES order_lines (id) ON DELETE CASCADE,
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    PRIMARY KEY (fulfillment_id, order_line_id)
                )
                """,
                """
                CREATE TABLE order_returns (
                    id TEXT PRIMARY KEY,
                    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
                    reason TEXT NOT NULL DEFAULT '',
                    restock INTEGER NOT NULL,
                    amount BIGINT NOT NULL,
                    refunded_amount BIGINT NOT NULL DEFAULT 0 CHECK (refunded_amount <= amount),
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX order_returns_order ON order_returns (order_id)",
                """
                CREATE TABLE return_lines (
                    return_id TEXT NOT NULL REFERENCES order_returns (id) ON DELETE CASCADE,
                    order_line_id TEXT NOT NULL REFERENCES order_lines (id) ON DELETE CASCADE,
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    amount BIGINT NOT NULL,
                    PRIMARY KEY (return_id, order_line_id)
                )
                """,
            ])
}
