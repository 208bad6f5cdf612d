import LeopardStorage

extension PlatformSchema {
    /// How long each store's requests took to answer, per hour (the share of the server a store
    /// uses, for its estimated cost).
    static let m0015TenantUsageBusy =
        Migration(
            "0015_tenant_usage_busy",
            ["ALTER TABLE tenant_usage ADD COLUMN busy_microseconds BIGINT NOT NULL DEFAULT 0"])
}
