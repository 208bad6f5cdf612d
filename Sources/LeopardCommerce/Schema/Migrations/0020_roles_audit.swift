import LeopardStorage

extension StoreSchema {
    /// Staff roles with permissions, API key scopes, and the audit log. Staff members and keys
    /// from before keep what they could do: members get the built-in "Staff" role, keys without
    /// scopes hold the same permissions.
    public static let m0020RolesAudit =
        Migration(
            "0020_roles_audit",
            [
                """
                CREATE TABLE staff_roles (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    permissions TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                )
                """,
                """
                INSERT INTO staff_roles (id, name, permissions, created_at, updated_at)
                VALUES ('\(StaffRoles.defaultRoleID)', 'Staff', 'orders fulfillments products customers discounts settings reports payments',
                        '2026-12-04T00:00:00.000Z', '2026-12-04T00:00:00.000Z')
                """,
                "ALTER TABLE staff_members ADD COLUMN role_id TEXT REFERENCES staff_roles (id)",
                "UPDATE staff_members SET role_id = '\(StaffRoles.defaultRoleID)' WHERE role = 'staff'",
                "ALTER TABLE api_keys ADD COLUMN scopes TEXT",
                """
                CREATE TABLE audit_events (
                    id TEXT PRIMARY KEY,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT,
                    summary TEXT NOT NULL,
                    created_at TEXT NOT NULL
                )
                """,
            ])
}
