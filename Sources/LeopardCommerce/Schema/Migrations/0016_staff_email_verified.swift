import LeopardStorage

extension StoreSchema {
    /// When a staff member showed they read mail at their address (the owner's, from the link
    /// in the mail that follows signup).
    public static let m0016StaffEmailVerified =
        Migration(
            "0016_staff_email_verified",
            ["ALTER TABLE staff_members ADD COLUMN email_verified_at TEXT"])
}
