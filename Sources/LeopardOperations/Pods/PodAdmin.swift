import Foundation
import LeopardCore
import LeopardPlatform
import LeopardStorage
import SQLKit

/// `leopard pods add` and `pods list`: PostgreSQL servers for store databases.
public struct PodAdmin: Sendable {
    let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }

    struct NotPostgres: Error, CustomStringConvertible {
        var description: String { "pods hold PostgreSQL store databases: start the platform with --database-url" }
    }

    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    /// Checks that the server answers and that the login may create databases and roles,
    /// builds the store template there, then records the pod (its URL sealed).
    public func add(name: String, url: String, maxStores: Int) async throws -> PodRegistry.Pod {
        guard let pods = services.pods else { throw NotPostgres() }
        let server = try PostgresServer(url: url)
        let admin = try await PostgresDatabaseHandle.connect(server: server, maximumConnections: 1, logger: services.logger)
        do {
            let rights = try await admin.read { sql in
                try await sql.raw("SELECT rolcreatedb AS db, rolcreaterole AS role FROM pg_roles WHERE rolname = current_user").first()
                    .map { (try $0.decode(column: "db", as: Bool.self), try $0.decode(column: "role", as: Bool.self)) }
            }
            guard let rights, rights.0, rights.1 else {
                throw Refused(description: "the login of \(name) needs CREATEDB and CREATEROLE on its server")
            }
            // Store roles must reach nothing on this server but their own database.
            do {
                try await admin.read { sql in
                    let database = try SafeIdentifier(server.database)
                    try await sql.raw("REVOKE CONNECT, TEMPORARY ON DATABASE \(unsafeRaw: database.quoted) FROM PUBLIC").run()
                }
            } catch {
                services.logger.warning(
                    "could not revoke CONNECT on the pod's own database from PUBLIC: store roles may connect to it (the isolation audit will say so); the pod's login should own its database",
                    metadata: ["pod": .string(name), "error": .string(DatabaseErrors.summary(error))])
            }
            try await PostgresTenantProvider(server: server, platform: admin, secrets: services.secrets, logger: services.logger)
                .prepareTemplate(services.storeMigrator)
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
        return try await pods.add(name: name, url: url, maxStores: maxStores)
    }

    public struct Line: Sendable {
        public let name: String
        public let stores: Int
        public let maxStores: Int?
        /// Connections on the server now (all databases), or nil when it does not answer.
        public let connections: Int?
        public let maxConnections: Int?
        public let error: String?
    }

    /// Every server with its stores and connections in use; a server that is down says so (a
    /// connection of its own per pod, which fails at once when the server does not answer).
    public func list() async throws -> [Line] {
        guard let pods = services.pods else { throw NotPostgres() }
        let query: @Sendable (any SQLDatabase) async throws -> (Int, Int)? = { sql in
            try await sql.raw(
                "SELECT (SELECT COUNT(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS used, current_setting('max_connections')::int AS max"
            ).first()
                .map { (try $0.decode(column: "used", as: Int.self), try $0.decode(column: "max", as: Int.self)) }
        }
        var lines: [Line] = []
        for load in try await pods.load() {
            let name = load.pod ?? "main"
            do {
                let usage: (Int, Int)?
                if let pod = load.pod {
                    guard let server = try await pods.server(named: pod) else { continue }
                    let handle = try await PostgresDatabaseHandle.connect(server: server, maximumConnections: 1, logger: services.logger)
                    do {
                        usage = try await handle.read(query)
                    } catch {
                        await handle.close()
                        throw error
                    }
                    await handle.close()
                } else {
                    usage = try await services.platformDatabase.read(query)
                }
                lines.append(Line(name: name, stores: load.stores, maxStores: load.maxStores, connections: usage?.0, maxConnections: usage?.1, error: nil))
            } catch {
                lines.append(
                    Line(
                        name: name, stores: load.stores, maxStores: load.maxStores, connections: nil, maxConnections: nil, error: DatabaseErrors.summary(error))
                )
            }
        }
        return lines
    }
}
