import LeopardStorage

extension PlatformSchema {
    static let m0001Tenants =
        Migration(
            "0001_tenants",
            [
                """
                CREATE TABLE tenants (
                    id TEXT PRIMARY KEY,
                    slug TEXT NOT NULL UNIQUE,
                    store_name TEXT NOT NULL,
                    owner_email TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('provisioning', 'active', 'suspended', 'deleted')),
                    storage TEXT NOT NULL CHECK (storage IN ('sqlite', 'postgres')),
                    database_name TEXT NOT NULL,
                    database_role TEXT,
                    database_secret TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    deleted_at TEXT
                )
                """,
                "CREATE INDEX tenants_status_id ON tenants (status, id)",
            ])
}
