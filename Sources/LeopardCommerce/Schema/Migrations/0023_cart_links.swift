import LeopardStorage

extension StoreSchema {
    /// Links that bring a cart back: the recovery mail for an abandoned checkout and the payment
    /// link of a draft order. A cart is a shopper's (`shop`) or a draft's (`draft`, whose items
    /// only staff change); each records when its last link was mailed.
    public static let m0023CartLinks =
        Migration(
            "0023_cart_links",
            [
                "ALTER TABLE carts ADD COLUMN kind TEXT NOT NULL DEFAULT 'shop'",
                "UPDATE carts SET kind = 'draft' WHERE id IN (SELECT cart_id FROM draft_orders)",
                "ALTER TABLE carts ADD COLUMN link_sent_at TEXT",
                "CREATE INDEX account_tokens_subject ON account_tokens (purpose, subject_id)",
            ])
}
