import LeopardStorage

/// The platform database: the tenant registry, the provisioning log and platform settings.
public enum PlatformSchema {
    public static let migrations: [Migration] = [
        Migration("0001_tenants", [
            """
            CREATE TABLE tenants (
                id TEXT PRIMARY KEY,
                slug TEXT NOT NULL UNIQUE,
                store_name TEXT NOT NULL,
                owner_email TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('provisioning', 'active', 'suspended', 'deleted')),
                storage TEXT NOT NULL CHECK (storage IN ('sqlite', 'postgres')),
                database_name TEXT NOT NULL,
                database_role TEXT,
                database_secret TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                deleted_at TEXT
            )
            """,
            "CREATE INDEX tenants_status_id ON tenants (status, id)",
        ]),
        Migration("0002_provisioning_attempts", [
            """
            CREATE TABLE provisioning_attempts (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                slug TEXT NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
                failed_step TEXT,
                error TEXT,
                steps TEXT NOT NULL,
                total_microseconds BIGINT NOT NULL,
                started_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX provisioning_attempts_started ON provisioning_attempts (started_at)",
        ]),
        Migration("0003_platform_settings", [
            "CREATE TABLE platform_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL)",
        ]),
        // Stores that have (or had) merchant webhook endpoints: the ones the delivery worker
        // looks into, instead of every store.
        Migration("0004_webhook_tenants", [
            "CREATE TABLE webhook_tenants (tenant_id TEXT PRIMARY KEY, created_at TEXT NOT NULL)",
        ]),
        // Store databases made ahead of signups (the warm pool): claimed by a signup in the
        // transaction that points its registry row at one.
        Migration("0005_spare_databases", [
            """
            CREATE TABLE spare_databases (
                name TEXT PRIMARY KEY,
                storage TEXT NOT NULL,
                role TEXT,
                sealed_password TEXT,
                fingerprint TEXT NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX spare_databases_claim ON spare_databases (storage, fingerprint, created_at)",
        ]),
        // Requests per store and hour (UTC), added up in memory and written every half minute.
        Migration("0006_tenant_usage", [
            """
            CREATE TABLE tenant_usage (
                tenant_id TEXT NOT NULL,
                hour TEXT NOT NULL,
                requests BIGINT NOT NULL,
                last_request_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, hour)
            )
            """,
        ]),
        // Custom domains: pending until their TXT record is found, then served.
        Migration("0007_tenant_domains", [
            """
            CREATE TABLE tenant_domains (
                hostname TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'verified')),
                token TEXT NOT NULL,
                created_at TEXT NOT NULL,
                verified_at TEXT,
                checked_at TEXT,
                last_error TEXT
            )
            """,
            "CREATE INDEX tenant_domains_tenant ON tenant_domains (tenant_id, hostname)",
        ]),
        // Every change to a store's registry row or its domains, whoever makes it, reaches every
        // instance's look-up cache: PostgreSQL notifies `leopard_tenant_changes` (payload
        // `t <id> <slug>` or `d <hostname>`); SQLite appends to `tenant_changes`, which instances
        // read every fraction of a second.
        Migration("0008_tenant_change_feed", sqlite: [
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
        ], postgres: [
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
        ]),
        // Rate-limited events (signups, failed sign-ins), shared by every instance.
        Migration("0009_rate_limit_events", [
            "CREATE TABLE rate_limit_events (bucket TEXT NOT NULL, at TEXT NOT NULL)",
            "CREATE INDEX rate_limit_events_bucket ON rate_limit_events (bucket, at)",
            "CREATE INDEX rate_limit_events_at ON rate_limit_events (at)",
        ]),
        // Periodic runs and the background jobs any instance may take (scheduled backups).
        Migration("0010_platform_jobs", [
            "CREATE TABLE scheduled_runs (name TEXT PRIMARY KEY, last_run_at TEXT NOT NULL)",
            """
            CREATE TABLE platform_jobs (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                tenant_id TEXT,
                status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
                attempts INTEGER NOT NULL,
                lease_until TEXT,
                last_error TEXT,
                created_at TEXT NOT NULL,
                finished_at TEXT
            )
            """,
            "CREATE INDEX platform_jobs_pending ON platform_jobs (kind, status, created_at, id)",
        ]),
        // Stores served by an instance of their own (`leopard serve --tenant ID`).
        Migration("0011_dedicated_tenants", [
            "ALTER TABLE tenants ADD COLUMN dedicated INTEGER NOT NULL DEFAULT 0",
        ]),
        // PostgreSQL servers for store databases besides the platform's own, and where each
        // store's database is (NULL: the platform's own server).
        Migration("0012_pods", [
            "CREATE TABLE pods (name TEXT PRIMARY KEY, sealed_url TEXT NOT NULL, max_stores INTEGER NOT NULL, created_at TEXT NOT NULL)",
            "ALTER TABLE tenants ADD COLUMN pod TEXT",
        ]),
        // A store being moved to another server: where its copy goes (a JSON database location,
        // its password sealed). While set, the store is read-only.
        Migration("0013_tenant_moves", [
            "ALTER TABLE tenants ADD COLUMN move_target TEXT",
        ]),
        // A sign-in's reserved try, given back when the password was right.
        Migration("0014_rate_limit_refs", [
            "ALTER TABLE rate_limit_events ADD COLUMN ref TEXT",
        ]),
    ]

    public static var migrator: Migrator { Migrator(migrations) }
}
