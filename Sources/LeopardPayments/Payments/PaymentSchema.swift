import LeopardStorage

/// The payments part of every store's schema, after the commerce migrations.
public enum PaymentSchema {
    public static let migrations: [Migration] = [
        Migration("0009_payments", [
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
        ]),
        Migration("0012_provider_outbox_credentials", [
            // Provider events waiting to reach this store's own webhook receiver (the `test`
            // provider's reports): written with the payment they are about, deleted once applied.
            """
            CREATE TABLE provider_outbox (
                id TEXT PRIMARY KEY,
                provider TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
            // A real provider's keys, sealed with the platform key.
            """
            CREATE TABLE provider_credentials (
                provider TEXT PRIMARY KEY,
                secret_key_sealed TEXT NOT NULL,
                webhook_secret_sealed TEXT NOT NULL,
                publishable_key TEXT,
                secret_key_hint TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
        ]),
        // Stripe payments authorized at checkout and captured when the order ships (`manual`),
        // or captured at once (`automatic`).
        Migration("0014_capture_method", [
            "ALTER TABLE provider_credentials ADD COLUMN capture_method TEXT NOT NULL DEFAULT 'automatic'",
        ]),
    ]
}