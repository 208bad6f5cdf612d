import LeopardStorage

extension PlatformSchema {
    static let m0002ProvisioningAttempts =
        Migration(
            "0002_provisioning_attempts",
            [
                """
                CREATE TABLE provisioning_attempts (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL,
                    slug TEXT NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
                    failed_step TEXT,
                    error TEXT,
                    steps TEXT NOT NULL,
                    total_microseconds BIGINT NOT NULL,
                    started_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX provisioning_attempts_started ON provisioning_attempts (started_at)",
            ])
}
