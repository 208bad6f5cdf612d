import LeopardStorage

extension StoreSchema {
    /// The store's outgoing mail queue, single-use links for accounts (verification, password
    /// resets), verified customer addresses, and the store's mail settings.
    public static let m0015Mail =
        Migration(
            "0015_mail",
            [
                """
                CREATE TABLE mail_messages (
                    id TEXT PRIMARY KEY,
                    message_id TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    object_id TEXT,
                    link_sealed TEXT,
                    subject TEXT,
                    status TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at TEXT NOT NULL,
                    give_up_at TEXT NOT NULL,
                    lease_until TEXT,
                    last_error TEXT,
                    sent_at TEXT,
                    created_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX mail_messages_due ON mail_messages (status, next_attempt_at)",
                """
                CREATE TABLE account_tokens (
                    token_sha256 TEXT PRIMARY KEY,
                    purpose TEXT NOT NULL,
                    subject_id TEXT,
                    email TEXT NOT NULL,
                    payload_json TEXT,
                    expires_at TEXT NOT NULL,
                    used_at TEXT,
                    created_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX account_tokens_email ON account_tokens (purpose, email)",
                "ALTER TABLE customers ADD COLUMN email_verified_at TEXT",
                "ALTER TABLE orders ADD COLUMN placed_signed_in INTEGER NOT NULL DEFAULT 0",
                "UPDATE orders SET placed_signed_in = 1 WHERE cart_id IN (SELECT id FROM carts WHERE customer_id IS NOT NULL)",
                "ALTER TABLE store_settings ADD COLUMN mail_sender_name TEXT",
                "ALTER TABLE store_settings ADD COLUMN mail_reply_to TEXT",
                "ALTER TABLE store_settings ADD COLUMN notify_new_orders INTEGER NOT NULL DEFAULT 1",
                "ALTER TABLE store_settings ADD COLUMN notify_low_stock INTEGER NOT NULL DEFAULT 1",
            ])
}
