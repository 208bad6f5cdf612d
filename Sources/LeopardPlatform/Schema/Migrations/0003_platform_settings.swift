import LeopardStorage

extension PlatformSchema {
    static let m0003PlatformSettings =
        Migration(
            "0003_platform_settings",
            [
                "CREATE TABLE platform_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL)"
            ])
}
