import LeopardStorage

extension StoreSchema {
    /// The sales ledger becomes append-only: one `sales_entries` row per change (an order
    /// placed, cancelled or edited, a refund), never updated, so no transaction waits on another
    /// for a shared quarter-hour row (on PostgreSQL that row sat between a checkout's stock
    /// locks and a refund's, and could deadlock them). Entries gain `total`, what the orders came
    /// to, so that net (total less refunds) subtracts money from money. Rebuilt from the orders
    /// as 0030 did, with the epoch floored on PostgreSQL as SQLite and Swift floor it.
    /// The funnel keeps only each day's count per step (`funnel_days`): no visitor's hash is
    /// ever written; the daily salt stays so that every instance counts a browser alike.
    public static let m0032SalesEntries =
        Migration(
            "0032_sales_entries",
            sqlite: salesEntries(bucket: { "CAST(strftime('%s', substr(\($0), 1, 19)) AS INTEGER) / 900" }),
            postgres: salesEntries(bucket: { "CAST(FLOOR(EXTRACT(EPOCH FROM CAST(\($0) AS TIMESTAMPTZ))) AS BIGINT) / 900" }))

    static func salesEntries(bucket: (String) -> String) -> [String] {
        [
            """
            CREATE TABLE sales_entries (
                bucket BIGINT NOT NULL,
                orders INTEGER NOT NULL DEFAULT 0,
                gross BIGINT NOT NULL DEFAULT 0,
                discounts BIGINT NOT NULL DEFAULT 0,
                refunds BIGINT NOT NULL DEFAULT 0,
                tax BIGINT NOT NULL DEFAULT 0,
                shipping BIGINT NOT NULL DEFAULT 0,
                total BIGINT NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX sales_entries_bucket ON sales_entries (bucket)",
            """
            INSERT INTO sales_entries (bucket, orders, gross, discounts, refunds, tax, shipping, total)
            SELECT \(bucket("created_at")), COUNT(*), SUM(subtotal), SUM(discount_total), 0, SUM(tax), SUM(shipping), SUM(total)
            FROM orders WHERE status <> 'cancelled' GROUP BY \(bucket("created_at"))
            """,
            """
            INSERT INTO sales_entries (bucket, refunds)
            SELECT \(bucket("updated_at")), SUM(refunded_total) FROM orders WHERE refunded_total > 0 GROUP BY \(bucket("updated_at"))
            """,
            "DROP TABLE sales_buckets",
            "DROP TABLE funnel_steps",
            "DROP TABLE funnel_orders",
            "CREATE TABLE funnel_days (day TEXT NOT NULL, step TEXT NOT NULL, visitors BIGINT NOT NULL, PRIMARY KEY (day, step))",
        ]
    }
}
