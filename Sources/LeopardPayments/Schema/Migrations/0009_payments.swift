import LeopardStorage

extension PaymentSchema {
    public static let m0009Payments =
        Migration(
            "0009_payments",
            [
                """
                CREATE TABLE payments (
                    id TEXT PRIMARY KEY,
                    order_id TEXT NOT NULL REFERENCES orders (id),
                    provider TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('requires_action', 'authorized', 'captured', 'failed', 'cancelled', 'refunded', 'partially_refunded')),
                    amount BIGINT NOT NULL,
                    currency TEXT NOT NULL,
                    captured_amount BIGINT NOT NULL DEFAULT 0,
                    refunded_amount BIGINT NOT NULL DEFAULT 0,
                    provider_reference TEXT NOT NULL,
                    card_brand TEXT,
                    card_last4 TEXT,
                    next_action_json TEXT,
                    failure_message TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    UNIQUE (provider, provider_reference)
                )
                """,
                "CREATE INDEX payments_order ON payments (order_id)",
                """
                CREATE TABLE payment_events (
                    id TEXT PRIMARY KEY,
                    payment_id TEXT NOT NULL REFERENCES payments (id),
                    type TEXT NOT NULL,
                    status_after TEXT NOT NULL,
                    amount BIGINT,
                    source TEXT NOT NULL,
                    created_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX payment_events_payment ON payment_events (payment_id)",
                """
                CREATE TABLE webhook_receipts (
                    provider TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    PRIMARY KEY (provider, event_id)
                )
                """,
                """
                CREATE TABLE payment_providers (
                    provider TEXT PRIMARY KEY,
                    webhook_secret TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                )
                """,
            ])
}
