import Foundation
import LeopardCommerce
import LeopardCore
import LeopardPlatform
import LeopardStorage
import SQLKit

/// Checks that every store is kept apart from every other (`leopard audit isolation`,
/// `GET /api/audit/isolation`):
///
/// - its database is where the registry says, and no other store's registry row names it;
///   on SQLite no database file lies in the stores' folder that no store or spare owns;
/// - on PostgreSQL its database is owned by its own role, that role owns nothing else, and it
///   cannot connect to any other store's database nor to the platform's;
/// - a staff session of the store is refused by other stores (looked up in their databases, as
///   `StoreAuthMiddleware` does): each store against the next `crossChecks` stores in the
///   registry, so the work grows with the number of stores, not its square.
public struct IsolationAudit {
    let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }
    var crossChecks = 20

    public struct Finding: Encodable, Equatable {
        public let tenantId: String?
        public let check: String
        public let detail: String
    }

    public struct Report: Encodable {
        public let storage: String
        public let stores: Int
        public let checks: Int
        public let findings: [Finding]
        public var clean: Bool { findings.isEmpty }

        enum CodingKeys: String, CodingKey { case storage, stores, checks, findings, clean }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(storage, forKey: .storage)
            try container.encode(stores, forKey: .stores)
            try container.encode(checks, forKey: .checks)
            try container.encode(findings, forKey: .findings)
            try container.encode(clean, forKey: .clean)
        }
    }

    public func run() async throws -> Report {
        let tenants = try await services.registry.all().filter { $0.status != .provisioning }
        var findings: [Finding] = []
        var checks = 0

        // One database per store.
        var owners: [String: String] = [:]
        for tenant in tenants {
            checks += 1
            if let other = owners[tenant.database.name] {
                findings.append(Finding(tenantId: tenant.id, check: "location", detail: "shares its database \(tenant.database.name) with \(other)"))
            }
            owners[tenant.database.name] = tenant.id
            checks += 1
            if !((try? await services.databases.provider.exists(tenant.database)) ?? false) {
                findings.append(Finding(tenantId: tenant.id, check: "location", detail: "its database \(tenant.database.name) is not where the registry says"))
            }
        }
        if services.configuration.databaseURL == nil {
            let (count, stray) = try await strayFiles(known: Set(tenants.map(\.database.name)))
            checks += count
            findings += stray
        } else {
            let (count, grants) = try await postgresPrivileges(tenants)
            checks += count
            findings += grants
        }
        let (count, tokens) = try await sessionsStayHome(tenants)
        checks += count
        findings += tokens
        return Report(storage: services.configuration.databaseURL == nil ? "sqlite" : "postgres", stores: tenants.count, checks: checks, findings: findings)
    }

    /// SQLite: database files in the stores' folder that neither a store nor a spare owns.
    func strayFiles(known: Set<String>) async throws -> (Int, [Finding]) {
        let folder = services.configuration.dataDirectory.appendingPathComponent("tenants", isDirectory: true)
        let spares = try await services.platformDatabase.read { sql in
            try await sql.raw("SELECT name FROM spare_databases").all().map { try $0.decode(column: "name", as: String.self) }
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let databases = files.filter { $0.hasSuffix(".sqlite") && !$0.hasPrefix(".") }
        let stray = databases.filter { !known.contains($0) && !spares.contains($0) }
        return (databases.count, stray.map { Finding(tenantId: nil, check: "location", detail: "the database file \($0) belongs to no store") })
    }

    /// PostgreSQL: owners, and which store roles may connect where.
    func postgresPrivileges(_ tenants: [Tenant]) async throws -> (Int, [Finding]) {
        // Each server ("pod") is asked about the stores it holds.
        var checks = 0
        var findings: [Finding] = []
        let byPod = Dictionary(grouping: tenants.filter { $0.database.role != nil }, by: { $0.database.pod ?? "" })
        for (pod, stores) in byPod.sorted(by: { $0.key < $1.key }) {
            guard !pod.isEmpty else {
                let (count, found) = try await privileges(stores, on: services.platformDatabase)
                checks += count
                findings += found
                continue
            }
            let handle: PostgresDatabaseHandle
            do {
                guard let server = try await services.pods?.server(named: pod) else { throw PodConnections.UnknownPod(name: pod) }
                handle = try await PostgresDatabaseHandle.connect(server: server, maximumConnections: 1, logger: services.logger)
            } catch {
                for tenant in stores {
                    findings.append(Finding(tenantId: tenant.id, check: "pod", detail: "its pod \(pod) could not be checked: \(DatabaseErrors.summary(error))"))
                }
                continue
            }
            do {
                let (count, found) = try await privileges(stores, on: handle)
                checks += count
                findings += found
            } catch {
                await handle.close()
                throw error
            }
            await handle.close()
        }
        return (checks, findings)
    }

    /// Owners and CONNECT rights of `stores`, all on the server `handle` is on.
    private func privileges(_ stores: [Tenant], on handle: any DatabaseHandle) async throws -> (Int, [Finding]) {
        guard !stores.isEmpty else { return (0, []) }
        let roles = stores.compactMap(\.database.role)
        let names = stores.map(\.database.name)
        var findings: [Finding] = []
        let rows = try await handle.read { sql in
            let owned = try await sql.raw(
                """
                SELECT d.datname, r.rolname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname IN (\(binds: roles)) OR d.datname IN (\(binds: names))
                """
            ).all().map { (try $0.decode(column: "datname", as: String.self), try $0.decode(column: "rolname", as: String.self)) }
            let connect = try await sql.raw(
                """
                SELECT r.rolname, d.datname FROM pg_roles r CROSS JOIN pg_database d
                WHERE r.rolname IN (\(binds: roles)) AND (d.datname IN (\(binds: names)) OR d.datname = current_database())
                  AND has_database_privilege(r.rolname, d.datname, 'CONNECT')
                """
            ).all().map { (try $0.decode(column: "rolname", as: String.self), try $0.decode(column: "datname", as: String.self)) }
            return (owned, connect)
        }
        let ownerOf = Dictionary(rows.0.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
        let storeOfRole = Dictionary(stores.compactMap { tenant in tenant.database.role.map { ($0, tenant) } }, uniquingKeysWith: { first, _ in first })
        for tenant in stores {
            guard let role = tenant.database.role else { continue }
            if let owner = ownerOf[tenant.database.name], owner != role {
                findings.append(Finding(tenantId: tenant.id, check: "owner", detail: "its database is owned by \(owner), not by its role \(role)"))
            }
            for (database, owner) in rows.0 where owner == role && database != tenant.database.name {
                findings.append(Finding(tenantId: tenant.id, check: "owner", detail: "its role \(role) also owns the database \(database)"))
            }
        }
        for (role, database) in rows.1 {
            guard let tenant = storeOfRole[role], database != tenant.database.name else { continue }
            findings.append(Finding(tenantId: tenant.id, check: "connect", detail: "its role \(role) can connect to the database \(database)"))
        }
        return (stores.count * (stores.count + 1) + stores.count, findings)
    }

    /// A staff session opened for each store (then revoked) must be unknown to other stores.
    func sessionsStayHome(_ tenants: [Tenant]) async throws -> (Int, [Finding]) {
        let active = tenants.filter { $0.status == .active }
        var findings: [Finding] = []
        var checks = 0
        let hasher = services.passwordHasher
        for (index, tenant) in active.enumerated() {
            let opened: StaffSessions.Issued?
            do {
                opened = try await services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database -> StaffSessions.Issued? in
                    let sessions = StaffSessions(database: database, hasher: hasher)
                    guard let link = try await sessions.issueHandoff(email: tenant.ownerEmail) else { return nil }
                    return try await sessions.redeemHandoff(token: link)
                }
            } catch {
                findings.append(Finding(tenantId: tenant.id, check: "token", detail: "its database could not be opened: \(DatabaseErrors.summary(error))"))
                continue
            }
            guard let session = opened else {
                findings.append(Finding(tenantId: tenant.id, check: "token", detail: "its owner \(tenant.ownerEmail) is not in its database"))
                continue
            }
            let others = (1...max(1, min(crossChecks, active.count - 1))).compactMap { offset -> Tenant? in
                active.count > 1 ? active[(index + offset) % active.count] : nil
            }
            for other in others where other.id != tenant.id {
                checks += 1
                // A store whose database cannot be opened is reported on its own turn.
                let accepted =
                    (try? await services.databases.withDatabase(tenantID: other.id, location: other.database) { database in
                        try await StaffSessions(database: database, hasher: hasher).principal(token: session.token) != nil
                    }) ?? false
                if accepted {
                    findings.append(Finding(tenantId: tenant.id, check: "token", detail: "a staff session of this store is accepted by \(other.id)"))
                }
            }
            try await services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                let sessions = StaffSessions(database: database, hasher: hasher)
                if let principal = try await sessions.principal(token: session.token), case .session(let id) = principal.credential {
                    try await sessions.revoke(sessionID: id)
                }
            }
        }
        return (checks, findings)
    }
}

/// The audit's result for the command line.
public struct IsolationAuditReport: Sendable {
    public struct Finding: Sendable {
        public let tenantId: String?
        public let check: String
        public let detail: String
    }

    public let storage: String
    public let stores: Int
    public let checks: Int
    public let findings: [Finding]
    public let json: String
}

extension PlatformServices {
    public func auditIsolation() async throws -> IsolationAuditReport {
        let report = try await IsolationAudit(services: self).run()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return IsolationAuditReport(
            storage: report.storage, stores: report.stores, checks: report.checks,
            findings: report.findings.map { .init(tenantId: $0.tenantId, check: $0.check, detail: $0.detail) },
            json: String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}
