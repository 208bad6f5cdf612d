import LeopardStorage

extension StoreSchema {
    public static let m0003StaffCredentials =
        Migration(
            "0003_staff_credentials",
            [
                """
                CREATE TABLE staff_sessions (
                    id TEXT PRIMARY KEY,
                    staff_id TEXT NOT NULL REFERENCES staff_members (id) ON DELETE CASCADE,
                    token_sha256 TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    revoked_at TEXT
                )
                """,
                """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    secret_sha256 TEXT NOT NULL UNIQUE,
                    hint TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    last_used_at TEXT,
                    revoked_at TEXT
                )
                """,
            ])
}
