import LeopardStorage

extension StoreSchema {
    /// What staff keep about a customer: tags (which discounts can also name) and internal
    /// notes, each with who wrote it.
    public static let m0024CustomerRecords =
        Migration(
            "0024_customer_records",
            [
                "ALTER TABLE customers ADD COLUMN tags_json TEXT NOT NULL DEFAULT '[]'",
                """
                CREATE TABLE customer_notes (
                    id TEXT PRIMARY KEY,
                    customer_id TEXT NOT NULL,
                    text TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    created_at TEXT NOT NULL
                )
                """,
                "CREATE INDEX customer_notes_customer ON customer_notes (customer_id, id)",
                "ALTER TABLE discounts ADD COLUMN customer_tags TEXT NOT NULL DEFAULT '[]'",
            ])
}
