import LeopardStorage

extension PlatformSchema {
    /// A store being moved to another server: where its copy goes (a JSON database location,
    /// its password sealed). While set, the store is read-only.
    static let m0013TenantMoves =
        Migration(
            "0013_tenant_moves",
            [
                "ALTER TABLE tenants ADD COLUMN move_target TEXT"
            ])
}
