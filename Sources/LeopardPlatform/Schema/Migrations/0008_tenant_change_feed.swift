import LeopardStorage

extension PlatformSchema {
    /// Every change to a store's registry row or its domains, whoever makes it, reaches every
    /// instance's look-up cache: PostgreSQL notifies `leopard_tenant_changes` (payload
    /// `t <id> <slug>` or `d <hostname>`); SQLite appends to `tenant_changes`, which instances
    /// read every fraction of a second.
    static let m0008TenantChangeFeed =
        Migration(
            "0008_tenant_change_feed",
            sqlite: [
                """
                CREATE TABLE tenant_changes (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    payload TEXT NOT NULL,
                    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                )
                """,
                "CREATE TRIGGER tenants_changed_insert AFTER INSERT ON tenants BEGIN INSERT INTO tenant_changes (payload) VALUES ('t ' || NEW.id || ' ' || NEW.slug); END",
                "CREATE TRIGGER tenants_changed_update AFTER UPDATE ON tenants BEGIN INSERT INTO tenant_changes (payload) VALUES ('t ' || NEW.id || ' ' || NEW.slug); END",
                "CREATE TRIGGER tenants_changed_delete AFTER DELETE ON tenants BEGIN INSERT INTO tenant_changes (payload) VALUES ('t ' || OLD.id || ' ' || OLD.slug); END",
                "CREATE TRIGGER domains_changed_insert AFTER INSERT ON tenant_domains BEGIN INSERT INTO tenant_changes (payload) VALUES ('d ' || NEW.hostname); END",
                "CREATE TRIGGER domains_changed_update AFTER UPDATE ON tenant_domains BEGIN INSERT INTO tenant_changes (payload) VALUES ('d ' || NEW.hostname); END",
                "CREATE TRIGGER domains_changed_delete AFTER DELETE ON tenant_domains BEGIN INSERT INTO tenant_changes (payload) VALUES ('d ' || OLD.hostname); END",
            ],
            postgres: [
                """
                CREATE FUNCTION leopard_tenant_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'DELETE' THEN
                        PERFORM pg_notify('leopard_tenant_changes', 't ' || OLD.id || ' ' || OLD.slug);
                        RETURN OLD;
                    END IF;
                    PERFORM pg_notify('leopard_tenant_changes', 't ' || NEW.id || ' ' || NEW.slug);
                    RETURN NEW;
                END $$
                """,
                """
                CREATE FUNCTION leopard_domain_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'DELETE' THEN
                        PERFORM pg_notify('leopard_tenant_changes', 'd ' || OLD.hostname);
                        RETURN OLD;
                    END IF;
                    PERFORM pg_notify('leopard_tenant_changes', 'd ' || NEW.hostname);
                    RETURN NEW;
                END $$
                """,
                "CREATE TRIGGER tenants_changed AFTER INSERT OR UPDATE OR DELETE ON tenants FOR EACH ROW EXECUTE FUNCTION leopard_tenant_changed()",
                "CREATE TRIGGER domains_changed AFTER INSERT OR UPDATE OR DELETE ON tenant_domains FOR EACH ROW EXECUTE FUNCTION leopard_domain_changed()",
            ])
}
