import LeopardStorage

extension PlatformSchema {
    /// Requests per store and hour (UTC), added up in memory and written every half minute.
    static let m0006TenantUsage =
        Migration(
            "0006_tenant_usage",
            [
                """
                CREATE TABLE tenant_usage (
                    tenant_id TEXT NOT NULL,
                    hour TEXT NOT NULL,
                    requests BIGINT NOT NULL,
                    last_request_at TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, hour)
                )
                """
            ])
}
