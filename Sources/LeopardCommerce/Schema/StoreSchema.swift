import LeopardStorage

/// The schema of every store database. Applied to the template at start-up and to any store
/// database that is behind when it is opened.
public enum StoreSchema {
    public static let migrations: [Migration] = [
        Migration("0001_store_settings", [
            """
            CREATE TABLE store_settings (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                name TEXT NOT NULL,
                currency TEXT NOT NULL DEFAULT 'USD',
                contact_email TEXT,
                updated_at TEXT NOT NULL
            )
            """,
        ]),
        Migration("0002_staff_members", [
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
        ]),
    ]

    public static var migrator: Migrator { Migrator(migrations) }
}
