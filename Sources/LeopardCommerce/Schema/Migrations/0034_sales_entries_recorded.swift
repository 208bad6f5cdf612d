import LeopardStorage

extension StoreSchema {
    /// When each sales entry was written (Unix seconds; 0 for those written before), so the
    /// platform's daily roll-up of every store's sales reads only the days that changed since
    /// it last looked.
    public static let m0034SalesEntriesRecorded =
        Migration(
            "0034_sales_entries_recorded",
            [
                "ALTER TABLE sales_entries ADD COLUMN recorded BIGINT NOT NULL DEFAULT 0",
                "CREATE INDEX sales_entries_recorded ON sales_entries (recorded)",
            ])
}
