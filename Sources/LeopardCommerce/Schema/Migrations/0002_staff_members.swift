import LeopardStorage

extension StoreSchema {
    public static let m0002StaffMembers =
        Migration(
            "0002_staff_members",
            [
                """
                CREATE TABLE staff_members (
                    id TEXT PRIMARY KEY,
                    email TEXT NOT NULL UNIQUE,
                    password_hash TEXT,
                    role TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
                    setup_token_sha256 TEXT,
                    setup_token_expires_at TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                )
                """,
                "CREATE UNIQUE INDEX staff_members_setup_token ON staff_members (setup_token_sha256)",
            ])
}
