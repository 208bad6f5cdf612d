/// Creates, opens and drops store databases on one kind of storage.
public protocol TenantDatabaseProvider: Sendable {
    var kind: DatabaseKind { get }

    /// Builds the migrated template that new store databases are cloned from, if missing.
    func prepareTemplate(_ migrator: Migrator) async throws

    /// Where the store's database will be (names, and on PostgreSQL a new sealed password), so
    /// the registry knows it before anything is created.
    func plan(tenantID: String) throws -> TenantDatabaseLocation

    /// Where a new store's planned database goes: on several PostgreSQL servers, the
    /// least-loaded one with room. One server: the plan as it is.
    func place(_ location: TenantDatabaseLocation) async throws -> TenantDatabaseLocation

    /// Creates the planned database (and role) from the template. On failure it leaves nothing
    /// behind.
    func create(_ location: TenantDatabaseLocation, migrator: Migrator) async throws

    /// Opens a handle on the store's database.
    func open(_ location: TenantDatabaseLocation) async throws -> any DatabaseHandle

    /// Opens a handle on a database this platform has just created or claimed from its warm pool
    /// (a signup), whose login is known to work: PostgreSQL skips the probe connection that
    /// `open` makes first, which halves the connections a burst of signups opens.
    func openJustCreated(_ location: TenantDatabaseLocation) async throws -> any DatabaseHandle

    /// Removes the store's database (and role) for good. Succeeds when already gone.
    func drop(_ location: TenantDatabaseLocation) async throws

    /// Whether the store's database exists.
    func exists(_ location: TenantDatabaseLocation) async throws -> Bool

    /// Whether this platform can use a database made for it: on PostgreSQL, whether the role's
    /// sealed password opens with this platform's key.
    func canUse(_ location: TenantDatabaseLocation) -> Bool
}

extension TenantDatabaseProvider {
    public func canUse(_ location: TenantDatabaseLocation) -> Bool { true }
    public func place(_ location: TenantDatabaseLocation) async throws -> TenantDatabaseLocation { location }
    public func openJustCreated(_ location: TenantDatabaseLocation) async throws -> any DatabaseHandle { try await open(location) }
}
