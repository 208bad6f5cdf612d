import LeopardStorage

extension StoreSchema {
    /// How long an unpaid card order holds its stock, when each such order expires, and when it
    /// did. An expired order is stored as cancelled with `expired_at` set (the status column's
    /// CHECK cannot change in place on SQLite), and read back as `expired`.
    public static let m0019Reservations =
        Migration(
            "0019_reservations",
            [
                "ALTER TABLE store_settings ADD COLUMN reservation_minutes INTEGER NOT NULL DEFAULT 30",
                "ALTER TABLE orders ADD COLUMN expires_at TEXT",
                "ALTER TABLE orders ADD COLUMN expired_at TEXT",
                "CREATE INDEX orders_expiring ON orders (status, expires_at)",
            ])
}
