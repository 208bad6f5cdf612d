import LeopardStorage

extension PlatformSchema {
    /// PostgreSQL servers for store databases besides the platform's own, and where each
    /// store's database is (NULL: the platform's own server).
    static let m0012Pods =
        Migration(
            "0012_pods",
            [
                "CREATE TABLE pods (name TEXT PRIMARY KEY, sealed_url TEXT NOT NULL, max_stores INTEGER NOT NULL, created_at TEXT NOT NULL)",
                "ALTER TABLE tenants ADD COLUMN pod TEXT",
            ])
}
