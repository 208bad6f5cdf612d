/// Where one store's database lives, as recorded in the platform registry.
public struct TenantDatabaseLocation: Sendable, Equatable, Codable {
    public var kind: DatabaseKind
    /// SQLite: the file name under `DATA_DIR/tenants`; PostgreSQL: the database name.
    public var name: String
    /// PostgreSQL: the store's own role.
    public var role: String?
    /// PostgreSQL: the role's password, sealed with the platform key.
    public var sealedPassword: String?
    /// PostgreSQL: the server ("pod") the database is on, by name; nil is the platform's own.
    public var pod: String?

    public init(kind: DatabaseKind, name: String, role: String? = nil, sealedPassword: String? = nil, pod: String? = nil) {
        self.kind = kind
        self.name = name
        self.role = role
        self.sealedPassword = sealedPassword
        self.pod = pod
    }
}
