import LeopardStorage

extension StoreSchema {
    /// One-time links that sign a new owner in to the admin right after signup (the signup
    /// form is on the platform's host, the admin on the store's).
    public static let m0013StaffHandoffs =
        Migration(
            "0013_staff_handoffs",
            [
                """
                CREATE TABLE staff_handoffs (
                    token_sha256 TEXT PRIMARY KEY,
                    staff_id TEXT NOT NULL REFERENCES staff_members (id) ON DELETE CASCADE,
                    expires_at TEXT NOT NULL
                )
                """
            ])
}
