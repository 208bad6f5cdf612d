import LeopardStorage

extension PlatformSchema {
    /// Stores served by an instance of their own (`leopard serve --tenant ID`).
    static let m0011DedicatedTenants =
        Migration(
            "0011_dedicated_tenants",
            [
                "ALTER TABLE tenants ADD COLUMN dedicated INTEGER NOT NULL DEFAULT 0"
            ])
}
