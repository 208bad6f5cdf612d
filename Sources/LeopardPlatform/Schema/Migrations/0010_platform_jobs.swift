import LeopardStorage

extension PlatformSchema {
    /// Periodic runs and the background jobs any instance may take (scheduled backups).
    static let m0010PlatformJobs =
        Migration(
            "0010_platform_jobs",
            [
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
            ])
}
