import LeopardStorage

extension StoreSchema {
    /// Orders staff build by hand: a cart the draft owns (priced as any cart is), the customer's
    /// address and e-mail, and, once completed, the order it became. And who made each API key:
    /// a key holds no more than its maker holds now.
    public static let m0022DraftOrders =
        Migration(
            "0022_draft_orders",
            [
                """
                CREATE TABLE draft_orders (
                    id TEXT PRIMARY KEY,
                    cart_id TEXT NOT NULL,
                    email TEXT NOT NULL,
                    customer_id TEXT,
                    shipping_address_json TEXT NOT NULL,
                    billing_address_json TEXT,
                    note TEXT NOT NULL DEFAULT '',
                    status TEXT NOT NULL CHECK (status IN ('open', 'completed')),
                    order_id TEXT,
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                )
                """,
                "ALTER TABLE api_keys ADD COLUMN creator_staff_id TEXT",
            ])
}
