import LeopardStorage

extension StoreSchema {
    public static let m0005Catalog =
        Migration(
            "0005_catalog",
            sqlite: catalogTables + [
                // Rows are keyed by products.search_id, so updates delete by rowid, not by a scan.
                "CREATE VIRTUAL TABLE product_search USING fts5(product_id UNINDEXED, title, description, tags, tokenize = 'unicode61 remove_diacritics 2')",
                "CREATE UNIQUE INDEX products_search_id ON products (search_id)",
            ],
            postgres: catalogTables + [
                """
                ALTER TABLE products ADD COLUMN search tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||
                    setweight(to_tsvector('simple', coalesce(tags_text, '')), 'B') ||
                    setweight(to_tsvector('simple', coalesce(description, '')), 'C')
                ) STORED
                """,
                "CREATE INDEX products_search ON products USING GIN (search)",
            ])
}
