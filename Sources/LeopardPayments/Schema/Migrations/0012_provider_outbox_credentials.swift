import LeopardStorage

extension PaymentSchema {
    public static let m0012ProviderOutboxCredentials =
        Migration(
            "0012_provider_outbox_credentials",
            [
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
            ])
}
