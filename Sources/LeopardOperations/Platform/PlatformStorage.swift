import Foundation
import LeopardCore
import LeopardPlatform
import LeopardStorage
import Logging
import PostgresNIO
import SQLKit

/// The platform database and where store databases go: PostgreSQL (the platform's server and
/// any pods) with `databaseURL`, SQLite files under the data directory without; and how many
/// store databases may be open at once on what this machine and server allow.
struct PlatformStorage {
    let platform: any DatabaseHandle
    let provider: any TenantDatabaseProvider
    let capacity: Int
    let platformServer: PostgresServer?
    let pods: PodRegistry?
    let podConnections: PodConnections?

    static func open(_ configuration: ServerConfiguration, secrets: SecretBox, descriptors: Int, logger: Logger) async throws -> PlatformStorage {
        guard let url = configuration.databaseURL else { return try await openSQLite(configuration, descriptors: descriptors, logger: logger) }
        var capacity = configuration.maxOpenTenants
        let server = try PostgresServer(url: url)
        let platform: PostgresDatabaseHandle
        do {
            platform = try await PostgresDatabaseHandle.connect(server: server, maximumConnections: 8, logger: logger)
        } catch {
            throw PlatformDatabaseUnreachable(server: server, error: error)
        }
        let home = PostgresTenantProvider(server: server, platform: platform, secrets: secrets, poolSize: configuration.postgresPoolSize, logger: logger)
        let pods = PodRegistry(database: platform, secrets: secrets)
        let connections = PodConnections(secrets: secrets, poolSize: configuration.postgresPoolSize, logger: logger) { name in
            try await pods.server(named: name)
        }
        let provider = PodProviders(home: home, connections: connections) { try await pods.choose() }
        // Keep the open stores' pools inside three quarters of the server's connections.
        let maxConnections =
            try await platform.read { sql in
                try await sql.raw("SELECT current_setting('max_connections')::int AS n").first()?.decode(column: "n", as: Int.self)
            } ?? 100
        let budget = max(1, (maxConnections * 3 / 4 - 8) / max(1, configuration.postgresPoolSize))
        capacity = min(capacity, budget)
        // Store roles must not reach the platform database (the registry, sealed secrets).
        let quoted = "\"" + server.database.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        do {
            try await platform.read { sql in
                try await sql.raw(SQLQueryString("REVOKE CONNECT, TEMPORARY ON DATABASE \(quoted) FROM PUBLIC")).run()
            }
        } catch {
            logger.warning(
                "could not revoke CONNECT on the platform database from PUBLIC: store roles may connect to it; the platform role should own its database",
                metadata: ["error": .string(DatabaseErrors.summary(error))])
        }
        return PlatformStorage(platform: platform, provider: provider, capacity: capacity, platformServer: server, pods: pods, podConnections: connections)
    }

    static func openSQLite(_ configuration: ServerConfiguration, descriptors: Int, logger: Logger) async throws -> PlatformStorage {
        let tenants = configuration.dataDirectory.appendingPathComponent("tenants", isDirectory: true)
        try FileManager.default.createDirectory(at: tenants, withIntermediateDirectories: true)
        let platform = try await SQLiteDatabaseHandle.open(
            path: configuration.dataDirectory.appendingPathComponent("platform.sqlite").path, readerCount: 4,
            writerThreadPool: SQLiteDatabaseHandle.platformWriterThread, logger: logger)
        let provider = SQLiteTenantProvider(directory: tenants, readerCount: configuration.sqliteReaders, logger: logger)
        // Spares held open (see `PlatformServices.start`) take one connection each out of the same budget.
        let sparesOpen = min(configuration.spareStores, configuration.maxOpenTenants / 2)
        let capacity = min(
            configuration.maxOpenTenants,
            FileDescriptorLimit.tenantCapacity(descriptors: descriptors - 3 * sparesOpen, connectionsPerTenant: 1 + configuration.sqliteReaders))
        return PlatformStorage(platform: platform, provider: provider, capacity: capacity, platformServer: nil, pods: nil, podConnections: nil)
    }
}

/// The platform's PostgreSQL database refused or failed the first connection: says what failed
/// (the server's message and code), where (host, port, database) and as whom, never the password.
struct PlatformDatabaseUnreachable: Error, CustomStringConvertible {
    let server: PostgresServer
    public let error: any Error

    var description: String {
        "cannot connect to the platform database \(server.database) on \(server.host):\(server.port) as role \(server.username): "
            + DatabaseErrors.summary(error)
    }
}
