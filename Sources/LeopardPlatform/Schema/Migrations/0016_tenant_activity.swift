import LeopardStorage

extension PlatformSchema {
    /// The operator's reports across stores, without opening every store's database:
    /// - `tenant_activity`: per store, when its sales were last rolled up here (Unix seconds),
    ///   its last order and staff sign-in, its size and currency;
    /// - `tenant_sales_days`: per store and UTC day, orders, what they came to (GMV) and
    ///   refunds, rewritten whole from the store's ledger whenever that day changed;
    /// - `tenant_usage.open_microseconds`: how long the store's database was held open, per hour.
    static let m0016TenantActivity =
        Migration(
            "0016_tenant_activity",
            [
                """
                CREATE TABLE tenant_activity (
                    tenant_id TEXT PRIMARY KEY,
                    rolled_up_at BIGINT NOT NULL,
                    last_order_at TEXT,
                    last_staff_sign_in_at TEXT,
                    database_bytes BIGINT NOT NULL,
                    currency TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE tenant_sales_days (
                    tenant_id TEXT NOT NULL,
                    day TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    orders BIGINT NOT NULL,
                    gmv BIGINT NOT NULL,
                    refunds BIGINT NOT NULL,
                    PRIMARY KEY (tenant_id, day)
                )
                """,
                "CREATE INDEX tenant_sales_days_day ON tenant_sales_days (day)",
                "ALTER TABLE tenant_usage ADD COLUMN open_microseconds BIGINT NOT NULL DEFAULT 0",
            ])
}
