import LeopardStorage

extension PlatformSchema {
    /// Stores that have (or had) merchant webhook endpoints: the ones the delivery worker
    /// looks into, instead of every store.
    static let m0004WebhookTenants =
        Migration(
            "0004_webhook_tenants",
            [
                "CREATE TABLE webhook_tenants (tenant_id TEXT PRIMARY KEY, created_at TEXT NOT NULL)"
            ])
}
