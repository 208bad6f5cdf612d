import LeopardStorage

extension StoreSchema {
    /// The store's time zone, and its sales in quarter hours (`bucket` = Unix seconds / 900):
    /// every zone's midnight falls on a quarter hour, so a day in any zone is a run of whole
    /// buckets, and a 90-day report sums at most 8,640 rows however many orders there were.
    /// Orders count at the time they were placed (cancelled ones not at all), refunds at the
    /// time they were made. Existing orders are counted once here; refunds made before this
    /// migration count at the order's last change, the nearest time kept for them.
    public static let m0030SalesLedger =
        Migration(
            "0030_sales_ledger",
            sqlite: salesLedgerTable + salesLedgerBackfill(bucket: { "CAST(strftime('%s', substr(\($0), 1, 19)) AS INTEGER) / 900" }),
            postgres: salesLedgerTable + salesLedgerBackfill(bucket: { "CAST(EXTRACT(EPOCH FROM CAST(\($0) AS TIMESTAMPTZ)) AS BIGINT) / 900" }))

    static let salesLedgerTable = [
        "ALTER TABLE store_settings ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC'",
        """
        CREATE TABLE sales_buckets (
            bucket BIGINT PRIMARY KEY,
            orders INTEGER NOT NULL DEFAULT 0,
            gross BIGINT NOT NULL DEFAULT 0,
            discounts BIGINT NOT NULL DEFAULT 0,
            refunds BIGINT NOT NULL DEFAULT 0,
            tax BIGINT NOT NULL DEFAULT 0,
            shipping BIGINT NOT NULL DEFAULT 0
        )
        """,
    ]

    static func salesLedgerBackfill(bucket: (String) -> String) -> [String] {
        [
            """
            INSERT INTO sales_buckets (bucket, orders, gross, discounts, refunds, tax, shipping)
            SELECT \(bucket("created_at")), COUNT(*), SUM(subtotal), SUM(discount_total), 0, SUM(tax), SUM(shipping)
            FROM orders WHERE status <> 'cancelled' GROUP BY \(bucket("created_at"))
            """,
            """
            INSERT INTO sales_buckets (bucket, refunds)
            SELECT \(bucket("updated_at")), SUM(refunded_total) FROM orders WHERE refunded_total > 0 GROUP BY \(bucket("updated_at"))
            ON CONFLICT (bucket) DO UPDATE SET refunds = sales_buckets.refunds + excluded.refunds
            """,
        ]
    }
}
