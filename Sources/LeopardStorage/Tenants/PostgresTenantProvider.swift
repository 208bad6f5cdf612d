import Logging
import SQLKit

/// Store databases on a PostgreSQL server: each store is a database owned by a role of its own
/// with a random password (sealed in the registry), cloned from a migrated template database,
/// with `CONNECT` revoked from `PUBLIC` so no other store's role can reach it.
///
/// The template's objects belong to the `NOLOGIN` role `leopard_template_owner`; after cloning,
/// `REASSIGN OWNED` hands them to the store's role inside the new database only.
public struct PostgresTenantProvider: TenantDatabaseProvider {
    public let kind: DatabaseKind = .postgres
    public let server: PostgresServer
    /// A handle on the platform database, logged in as the platform's role (CREATEDB, CREATEROLE).
    let platform: any DatabaseHandle
    let secrets: SecretBox
    let poolSize: Int
    let logger: Logger

    public static let templateOwner = "leopard_template_owner"
    /// A store's request waits at most this long for one of its pool's connections; then 503.
    public static let storeLeaseTimeout: Duration = .seconds(10)
    static let templateLockKey = 0x4C_54_50_4C  // "LTPL"

    public init(server: PostgresServer, platform: any DatabaseHandle, secrets: SecretBox, poolSize: Int = 2, logger: Logger = Logger(label: "leopard.tenants"))
    {
        self.server = server
        self.platform = platform
        self.secrets = secrets
        self.poolSize = poolSize
        self.logger = logger
    }

    public func templateName(_ migrator: Migrator) -> String {
        "leopard_tpl_\(migrator.fingerprint)"
    }

    public static func databaseName(tenantID: String) throws -> SafeIdentifier {
        try SafeIdentifier("leopard_\(tenantID)")
    }

    public func prepareTemplate(_ migrator: Migrator) async throws {
        let template = try SafeIdentifier(templateName(migrator))
        // A name of its own: platforms in other databases of this server may build at once
        // (an advisory lock only covers one database).
        let building = try SafeIdentifier(template.value + "_b" + String(UInt32.random(in: 0...UInt32.max), radix: 36))
        let owner = try SafeIdentifier(Self.templateOwner)
        let server = self.server
        let logger = self.logger
        try await platform.read { sql in
            // A session lock: two processes starting at once build the template once.
            try await sql.raw("SELECT pg_advisory_lock(\(unsafeRaw: String(Self.templateLockKey)))").run()
            do {
                // Every platform that clones the template must be able to act as its owner
                // (REASSIGN OWNED), whichever platform built it.
                if try await sql.raw("SELECT 1 AS found FROM pg_roles WHERE rolname = \(bind: owner.value)").first() != nil {
                    try await Self.grantMembership(owner, on: sql)
                }
                if try await sql.raw("SELECT 1 AS found FROM pg_database WHERE datname = \(bind: template.value)").first() == nil {
                    if try await sql.raw("SELECT 1 AS found FROM pg_roles WHERE rolname = \(bind: owner.value)").first() == nil {
                        do {
                            try await sql.raw("CREATE ROLE \(unsafeRaw: owner.quoted) NOLOGIN").run()
                        } catch  where DatabaseErrors.sqlState(error) == "42710" || DatabaseErrors.sqlState(error) == "23505" {
                            // Another platform on this server made it first.
                        }
                        try await Self.grantMembership(owner, on: sql)
                    }
                    try await sql.raw("CREATE DATABASE \(unsafeRaw: building.quoted)").run()
                    try await sql.raw("REVOKE CONNECT, TEMPORARY ON DATABASE \(unsafeRaw: building.quoted) FROM PUBLIC").run()

                    let admin = try await PostgresDatabaseHandle.connect(server: server, database: building.value, maximumConnections: 1, logger: logger)
                    do {
                        try await admin.write { try await $0.raw("GRANT ALL ON SCHEMA public TO \(unsafeRaw: owner.quoted)").run() }
                    } catch {
                        await admin.close()
                        throw error
                    }
                    await admin.close()

                    let asOwner = try await PostgresDatabaseHandle.connect(
                        server: server, database: building.value, maximumConnections: 1,
                        sessionSetup: ["SET ROLE \(owner.quoted)"],
                        logger: logger
                    )
                    do {
                        try await migrator.migrate(asOwner)
                    } catch {
                        await asOwner.close()
                        throw error
                    }
                    await asOwner.close()
                    // A closed connection's server session may take a moment to go, and a
                    // database with sessions cannot be renamed. Nobody else may connect here.
                    try await Self.endSessions(on: sql, database: building.value, role: nil)
                    do {
                        try await sql.raw("ALTER DATABASE \(unsafeRaw: building.quoted) RENAME TO \(unsafeRaw: template.quoted)").run()
                    } catch  where DatabaseErrors.sqlState(error) == "42P04" || DatabaseErrors.sqlState(error) == "23505" {
                        // Another platform on this server finished the same template first.
                        try await sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: building.quoted) WITH (FORCE)").run()
                    }
                }
                try await sql.raw("SELECT pg_advisory_unlock(\(unsafeRaw: String(Self.templateLockKey)))").run()
            } catch {
                try? await sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: building.quoted) WITH (FORCE)").run()
                try? await sql.raw("SELECT pg_advisory_unlock(\(unsafeRaw: String(Self.templateLockKey)))").run()
                throw error
            }
        }
    }

    /// `GRANT role TO CURRENT_USER`, where a platform in another database of the same server
    /// granting it at the same moment is no error (the advisory lock covers one database only;
    /// PostgreSQL reports that race as a unique violation on `pg_auth_members`).
    static func grantMembership(_ role: SafeIdentifier, on sql: any SQLDatabase) async throws {
        do {
            try await sql.raw("GRANT \(unsafeRaw: role.quoted) TO CURRENT_USER").run()
        } catch  where DatabaseErrors.sqlState(error) == "23505" {
        }
    }

    public func canUse(_ location: TenantDatabaseLocation) -> Bool {
        guard let sealed = location.sealedPassword else { return false }
        return (try? secrets.open(sealed)) != nil
    }

    public func plan(tenantID: String) throws -> TenantDatabaseLocation {
        let name = try Self.databaseName(tenantID: tenantID)
        return TenantDatabaseLocation(kind: .postgres, name: name.value, role: name.value, sealedPassword: try secrets.seal(Self.randomPassword()))
    }

    public func create(_ location: TenantDatabaseLocation, migrator: Migrator) async throws {
        let name = try SafeIdentifier(location.name)
        guard let roleName = location.role, let sealed = location.sealedPassword else { throw TenantDatabaseMissing(name: location.name) }
        let role = try SafeIdentifier(roleName)
        let password = try secrets.open(sealed)
        guard password.utf8.allSatisfy({ (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }) else {
            throw SafeIdentifier.Invalid(text: "generated password")
        }
        let template = try SafeIdentifier(templateName(migrator))
        let owner = try SafeIdentifier(Self.templateOwner)
        do {
            try await createFromTemplate(name: name, role: role, template: template, password: password, migrator: migrator)
            // Inside the new database only: hand the template's objects to the store's role.
            let admin = try await PostgresDatabaseHandle.connect(server: server, database: name.value, maximumConnections: 1, logger: logger)
            do {
                try await admin.write { sql in
                    try await sql.raw("REASSIGN OWNED BY \(unsafeRaw: owner.quoted) TO \(unsafeRaw: role.quoted)").run()
                    try await sql.raw("DROP OWNED BY \(unsafeRaw: owner.quoted)").run()
                }
            } catch {
                await admin.close()
                throw error
            }
            await admin.close()
        } catch {
            do {
                try await drop(location)
            } catch let cleanup {
                logger.error(
                    "could not remove a half-made store database",
                    metadata: ["database": .string(location.name), "error": .string(DatabaseErrors.summary(cleanup))])
            }
            throw error
        }
    }

    private func createFromTemplate(name: SafeIdentifier, role: SafeIdentifier, template: SafeIdentifier, password: String, migrator: Migrator) async throws {
        // CREATE ROLE takes no bound parameters. What sits in the statement is the SCRAM
        // verifier (base64 and `$:` only), never the password: statement logs stay clean.
        let verifier = try ScramVerifier.make(password: password)
        try await platform.read { sql in
            try await sql.raw("CREATE ROLE \(unsafeRaw: role.quoted) LOGIN PASSWORD '\(unsafeRaw: verifier)'").run()
            try await sql.raw("GRANT \(unsafeRaw: role.quoted) TO CURRENT_USER").run()
        }
        // A new database lets PUBLIC connect until told otherwise: revoke in the same session,
        // before anything else can happen.
        @Sendable func createDatabase() async throws {
            try await platform.read { sql in
                try await sql.raw("CREATE DATABASE \(unsafeRaw: name.quoted) OWNER \(unsafeRaw: role.quoted) TEMPLATE \(unsafeRaw: template.quoted)").run()
                try await sql.raw("REVOKE CONNECT, TEMPORARY ON DATABASE \(unsafeRaw: name.quoted) FROM PUBLIC").run()
            }
        }
        do {
            try await createDatabase()
        } catch  where DatabaseErrors.sqlState(error) == "3D000" {
            // The template is missing (first store after an upgrade): build it, then try once more.
            try await prepareTemplate(migrator)
            try await createDatabase()
        }
    }

    public func open(_ location: TenantDatabaseLocation) async throws -> any DatabaseHandle {
        try await open(location, probe: true)
    }

    public func openJustCreated(_ location: TenantDatabaseLocation) async throws -> any DatabaseHandle {
        try await open(location, probe: false)
    }

    private func open(_ location: TenantDatabaseLocation, probe: Bool) async throws -> any DatabaseHandle {
        guard let role = location.role, let sealed = location.sealedPassword else {
            throw TenantDatabaseMissing(name: location.name)
        }
        let password = try secrets.open(sealed)
        return try await PostgresDatabaseHandle.connect(
            server: server,
            database: try SafeIdentifier(location.name).value,
            username: try SafeIdentifier(role).value,
            password: password,
            maximumConnections: poolSize,
            idleTimeout: .seconds(30),
            probe: probe,
            leaseTimeout: Self.storeLeaseTimeout,
            logger: logger
        )
    }

    public func drop(_ location: TenantDatabaseLocation) async throws {
        let name = try SafeIdentifier(location.name)
        try await platform.read { sql in
            try await sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name.quoted) WITH (FORCE)").run()
            if let role = location.role {
                let role = try SafeIdentifier(role)
                try await sql.raw("DROP ROLE IF EXISTS \(unsafeRaw: role.quoted)").run()
            }
        }
    }

    public func exists(_ location: TenantDatabaseLocation) async throws -> Bool {
        try await platform.read { sql in
            try await sql.raw("SELECT 1 AS found FROM pg_database WHERE datname = \(bind: location.name)").first() != nil
        }
    }

    static func randomPassword() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet.randomElement(using: &generator) ?? "x" })
    }
}
