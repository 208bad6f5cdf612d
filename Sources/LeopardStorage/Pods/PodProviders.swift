import Logging

/// Store databases spread over several PostgreSQL servers ("pods", as Shopify calls its
/// shards): the platform's own server (pod nil) and those added with `leopard pods add`. Every
/// operation goes to the server of the location's pod; a new store is placed by `choose`. A
/// pod that is down fails only its own stores' operations.
public struct PodProviders: TenantDatabaseProvider, TenantDatabaseWritePause {
    public let kind: DatabaseKind = .postgres
    public let home: PostgresTenantProvider
    let connections: PodConnections
    /// The pod for a new store (nil: the platform's own server).
    let choose: @Sendable () async throws -> String?

    public init(home: PostgresTenantProvider, connections: PodConnections, choose: @escaping @Sendable () async throws -> String?) {
        self.home = home
        self.connections = connections
        self.choose = choose
    }

    func provider(_ location: TenantDatabaseLocation) async throws -> PostgresTenantProvider {
        guard let pod = location.pod else { return home }
        return try await connections.provider(pod)
    }

    public func prepareTemplate(_ migrator: Migrator) async throws {
        // The pods' templates are built when a pod is added, and again by the first store
        // created there after an upgrade (`create` builds a missing template).
        try await home.prepareTemplate(migrator)
    }

    public func plan(tenantID: String) throws -> TenantDatabaseLocation { try home.plan(tenantID: tenantID) }

    public func place(_ location: TenantDatabaseLocation) async throws -> TenantDatabaseLocation {
        var placed = location
        placed.pod = try await choose()
        return placed
    }

    public func create(_ location: TenantDatabaseLocation, migrator: Migrator) async throws {
        try await provider(location).create(location, migrator: migrator)
    }

    public func open(_ location: TenantDatabaseLocation) async throws -> any DatabaseHandle {
        try await provider(location).open(location)
    }

    public func openJustCreated(_ location: TenantDatabaseLocation) async throws -> any DatabaseHandle {
        try await provider(location).openJustCreated(location)
    }

    public func drop(_ location: TenantDatabaseLocation) async throws {
        try await provider(location).drop(location)
    }

    public func exists(_ location: TenantDatabaseLocation) async throws -> Bool {
        try await provider(location).exists(location)
    }

    public func canUse(_ location: TenantDatabaseLocation) -> Bool { home.canUse(location) }

    public var dumpFileName: String { home.dumpFileName }

    public func dump(_ location: TenantDatabaseLocation, to path: String) async throws {
        try await provider(location).dump(location, to: path)
    }

    public func load(_ path: String, into location: TenantDatabaseLocation) async throws {
        try await provider(location).load(path, into: location)
    }

    public func check(_ path: String) async throws -> [String: Int] {
        try await home.check(path)
    }

    public func pauseWrites(_ location: TenantDatabaseLocation) async throws -> WritePauseHold {
        try await provider(location).pauseWrites(location)
    }

    public func isPaused(_ location: TenantDatabaseLocation) async throws -> Bool {
        try await provider(location).isPaused(location)
    }

    public func resumeWrites(_ location: TenantDatabaseLocation) async throws {
        try await provider(location).resumeWrites(location)
    }
}

/// The pods' store providers, each with an administrative connection to its server, made when
/// first needed (and again after a failure: a pod that was down is tried on the next use).
public actor PodConnections {
    let secrets: SecretBox
    let poolSize: Int
    let logger: Logger
    /// A pod's server by name; nil when there is no such pod.
    let lookup: @Sendable (String) async throws -> PostgresServer?
    private var providers: [String: PostgresTenantProvider] = [:]
    private var admins: [String: PostgresDatabaseHandle] = [:]

    public struct UnknownPod: Error, CustomStringConvertible {
        public let name: String
        public init(name: String) { self.name = name }
        public var description: String { "there is no pod \(name)" }
    }

    public init(secrets: SecretBox, poolSize: Int, logger: Logger, lookup: @escaping @Sendable (String) async throws -> PostgresServer?) {
        self.secrets = secrets
        self.poolSize = poolSize
        self.logger = logger
        self.lookup = lookup
    }

    public func provider(_ pod: String) async throws -> PostgresTenantProvider {
        if let provider = providers[pod] { return provider }
        guard let server = try await lookup(pod) else { throw UnknownPod(name: pod) }
        // Probed: a server that is down fails here at once instead of leaving callers waiting.
        let admin = try await PostgresDatabaseHandle.connect(server: server, maximumConnections: 2, idleTimeout: .seconds(30), logger: logger)
        if let provider = providers[pod] {  // another caller connected meanwhile
            await admin.close()
            return provider
        }
        let provider = PostgresTenantProvider(server: server, platform: admin, secrets: secrets, poolSize: poolSize, logger: logger)
        providers[pod] = provider
        admins[pod] = admin
        return provider
    }

    public func closeAll() async {
        for admin in admins.values { await admin.close() }
        admins.removeAll()
        providers.removeAll()
    }
}
