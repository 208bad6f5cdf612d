import LeopardStorage

extension PlatformSchema {
    /// Store databases made ahead of signups (the warm pool): claimed by a signup in the
    /// transaction that points its registry row at one.
    static let m0005SpareDatabases =
        Migration(
            "0005_spare_databases",
            [
                """
                CREATE TABLE spare_databases (
                    name TEXT PRIMARY KEY,
                    storage TEXT NOT NULL,
                    role TEXT,
                    sealed_password TEXT,
                    fingerprint TEXT NOT NULL,
                    created_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX spare_databases_claim ON spare_databases (storage, fingerprint, created_at)",
            ])
}
