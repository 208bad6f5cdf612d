import LeopardStorage

extension PlatformSchema {
    /// Custom domains: pending until their TXT record is found, then served.
    static let m0007TenantDomains =
        Migration(
            "0007_tenant_domains",
            [
                """
                CREATE TABLE tenant_domains (
                    hostname TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'verified')),
                    token TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    verified_at TEXT,
                    checked_at TEXT,
                    last_error TEXT
                )
                """,
                "CREATE INDEX tenant_domains_tenant ON tenant_domains (tenant_id, hostname)",
            ])
}
