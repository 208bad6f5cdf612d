import LeopardStorage

extension StoreSchema {
    public static let m0011Webhooks =
        Migration(
            "0011_webhooks",
            [
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
            ])
}
