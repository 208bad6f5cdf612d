import LeopardStorage

extension StoreSchema {
    public static let m0008CatalogVersion =
        Migration(
            "0008_catalog_version",
            sqlite: [
                "CREATE TABLE catalog_state (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)",
                "INSERT INTO catalog_state (id, version) VALUES (1, 1)",
            ]
                + versionedTables.flatMap { table in
                    ["INSERT", "UPDATE", "DELETE"].map { operation in
                        "CREATE TRIGGER \(table)_\(operation.lowercased())_catalog_version AFTER \(operation) ON \(table) BEGIN UPDATE catalog_state SET version = version + 1 WHERE id = 1; END"
                    }
                },
            postgres: [
                "CREATE TABLE catalog_state (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)",
                "INSERT INTO catalog_state (id, version) VALUES (1, 1)",
                """
                CREATE FUNCTION leopard_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE catalog_state SET version = version + 1 WHERE id = 1;
                    RETURN NULL;
                END
                $$
                """,
            ]
                + versionedTables.map { table in
                    "CREATE TRIGGER \(table)_catalog_version AFTER INSERT OR UPDATE OR DELETE ON \(table) FOR EACH STATEMENT EXECUTE FUNCTION leopard_catalog_changed()"
                })
}
