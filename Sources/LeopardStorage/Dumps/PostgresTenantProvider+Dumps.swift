import Foundation
import SQLKit

extension PostgresTenantProvider: TenantDatabaseDumps {
    public var dumpFileName: String { "database.pgdump" }

    public func dump(_ location: TenantDatabaseLocation, to path: String) async throws {
        let login = try storeLogin(location)
        // As the store's own role, which owns everything in its database; without owners and
        // grants, so that the dump loads into any role.
        do {
            try await ExternalTool.postgres("pg_dump").run(
                connectionArguments(database: login.database, username: login.role)
                    + ["--format=custom", "--no-owner", "--no-privileges", "--file=\(path)"],
                environment: clientEnvironment(password: login.password))
        } catch {
            unlink(path)
            throw error
        }
    }

    public func load(_ dump: String, into location: TenantDatabaseLocation) async throws {
        let login = try storeLogin(location)
        let name = try SafeIdentifier(location.name)
        let role = try SafeIdentifier(login.role)
        try await loadAsOwnRole(dump, database: name, role: role, password: login.password)
    }

    public func check(_ dump: String) async throws -> [String: Int] {
        // A throwaway role owns the scratch database and runs the restore: a crafted dump runs
        // with that role's rights only, never the platform's.
        let scratch = try SafeIdentifier("leopard_verify_" + String(UInt64.random(in: 0...UInt64.max), radix: 36))
        let password = Self.randomPassword()
        try await loadAsOwnRole(dump, database: scratch, role: scratch, password: password)
        let location = TenantDatabaseLocation(kind: .postgres, name: scratch.value, role: scratch.value)
        do {
            let counts = try await counts(database: scratch.value, username: scratch.value, password: password)
            try await drop(location)
            return counts
        } catch {
            try? await drop(location)
            throw error
        }
    }

    /// Creates `role` (LOGIN, `password`) and `database` owned by it from template0, then restores
    /// the dump as that role. Refuses when either exists already; on failure removes exactly what
    /// it created.
    private func loadAsOwnRole(_ dump: String, database name: SafeIdentifier, role: SafeIdentifier, password: String) async throws {
        let verifier = try ScramVerifier.make(password: password)
        let taken = try await platform.read { sql in
            try await sql.raw(
                """
                SELECT (SELECT COUNT(*) FROM pg_database WHERE datname = \(bind: name.value)) + (SELECT COUNT(*) FROM pg_roles WHERE rolname = \(bind: role.value)) AS n
                """
            ).first()?.decode(column: "n", as: Int.self) ?? 0
        }
        guard taken == 0 else { throw TenantDatabaseExists(name: name.value) }
        var roleCreated = false
        var databaseCreated = false
        do {
            try await platform.read { sql in
                try await sql.raw("CREATE ROLE \(unsafeRaw: role.quoted) LOGIN PASSWORD '\(unsafeRaw: verifier)'").run()
            }
            roleCreated = true
            try await platform.read { sql in
                try await sql.raw("GRANT \(unsafeRaw: role.quoted) TO CURRENT_USER").run()
                try await sql.raw("CREATE DATABASE \(unsafeRaw: name.quoted) OWNER \(unsafeRaw: role.quoted) TEMPLATE template0 ENCODING 'UTF8'").run()
            }
            databaseCreated = true
            try await platform.read { sql in
                try await sql.raw("REVOKE CONNECT, TEMPORARY ON DATABASE \(unsafeRaw: name.quoted) FROM PUBLIC").run()
            }
            // As the store's role: every object it makes is its own.
            try await restore(dump, database: name.value, username: role.value, password: password)
            _ = try await counts(database: name.value, username: role.value, password: password)
        } catch {
            let (databaseCreated, roleCreated) = (databaseCreated, roleCreated)
            do {
                try await platform.read { sql in
                    if databaseCreated { try await sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name.quoted) WITH (FORCE)").run() }
                    if roleCreated { try await sql.raw("DROP ROLE IF EXISTS \(unsafeRaw: role.quoted)").run() }
                }
            } catch let cleanup {
                logger.error(
                    "could not remove a half-restored store database",
                    metadata: ["database": .string(name.value), "error": .string(DatabaseErrors.summary(cleanup))])
            }
            throw error
        }
    }

    /// `pg_restore` in one transaction that stops at the first error.
    private func restore(_ dump: String, database: String, username: String, password: String?) async throws {
        do {
            try await ExternalTool.postgres("pg_restore").run(
                connectionArguments(database: database, username: username)
                    + ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", dump],
                environment: clientEnvironment(password: password))
        } catch let failed as ExternalTool.Failed {
            throw DumpUnusable("pg_restore refused it: \(failed.output)")
        }
    }

    private func counts(database: String, username: String?, password: String?) async throws -> [String: Int] {
        let handle = try await PostgresDatabaseHandle.connect(
            server: server, database: database, username: username, password: password, maximumConnections: 1, logger: logger)
        do {
            let counts = try await StoreExport(database: handle).counts()
            await handle.close()
            guard counts["leopard_migrations"].map({ $0 > 0 }) ?? false else {
                throw DumpUnusable("it is not a Leopard store database (no migrations recorded)")
            }
            return counts
        } catch {
            await handle.close()
            throw error
        }
    }

    func storeLogin(_ location: TenantDatabaseLocation) throws -> (database: String, role: String, password: String) {
        guard let role = location.role, let sealed = location.sealedPassword else { throw TenantDatabaseMissing(name: location.name) }
        return (try SafeIdentifier(location.name).value, try SafeIdentifier(role).value, try secrets.open(sealed))
    }

    private func connectionArguments(database: String, username: String) -> [String] {
        ["--host=\(server.host)", "--port=\(server.port)", "--username=\(username)", "--dbname=\(database)", "--no-password"]
    }

    /// The password and TLS mode for a client program, in its environment only.
    private func clientEnvironment(password: String?) -> [String: String] {
        // The same strictness as the platform's own connections: NIOSSL verifies the
        // server's certificate and name whenever TLS is required.
        var environment = ["PGCONNECT_TIMEOUT": "10"]
        switch server.tls {
        case .disable: environment["PGSSLMODE"] = "disable"
        case .prefer: environment["PGSSLMODE"] = "prefer"
        case .require:
            environment["PGSSLMODE"] = "verify-full"
            if FileManager.default.fileExists(atPath: "/etc/ssl/certs/ca-certificates.crt") {
                environment["PGSSLROOTCERT"] = "/etc/ssl/certs/ca-certificates.crt"
            }
        }
        if let password { environment["PGPASSWORD"] = password }
        return environment
    }
}
