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
        let verifier = try ScramVerifier.make(password: login.password)
        do {
            try await platform.read { sql in
                try await sql.raw("CREATE ROLE \(unsafeRaw: role.quoted) LOGIN PASSWORD '\(unsafeRaw: verifier)'").run()
                try await sql.raw("GRANT \(unsafeRaw: role.quoted) TO CURRENT_USER").run()
                try await sql.raw("CREATE DATABASE \(unsafeRaw: name.quoted) OWNER \(unsafeRaw: role.quoted) TEMPLATE template0 ENCODING 'UTF8'").run()
                try await sql.raw("REVOKE CONNECT, TEMPORARY ON DATABASE \(unsafeRaw: name.quoted) FROM PUBLIC").run()
            }
            // As the store's role: every object it makes is its own.
            try await restore(dump, database: name.value, username: role.value, password: login.password)
            _ = try await counts(database: name.value, username: role.value, password: login.password)
        } catch {
            do {
                try await drop(location)
            } catch let cleanup {
                logger.error("could not remove a half-restored store database", metadata: ["database": .string(location.name), "error": .string(DatabaseErrors.summary(cleanup))])
            }
            throw error
        }
    }

    public func check(_ dump: String) async throws -> [String: Int] {
        let scratch = try SafeIdentifier("leopard_verify_" + String(UInt64.random(in: 0...UInt64.max), radix: 36))
        try await platform.read { sql in
            try await sql.raw("CREATE DATABASE \(unsafeRaw: scratch.quoted) TEMPLATE template0 ENCODING 'UTF8'").run()
            try await sql.raw("REVOKE CONNECT, TEMPORARY ON DATABASE \(unsafeRaw: scratch.quoted) FROM PUBLIC").run()
        }
        do {
            try await restore(dump, database: scratch.value, username: server.username, password: server.password)
            let counts = try await counts(database: scratch.value, username: nil, password: nil)
            try await dropScratch(scratch)
            return counts
        } catch {
            try? await dropScratch(scratch)
            throw error
        }
    }

    private func dropScratch(_ name: SafeIdentifier) async throws {
        try await platform.read { sql in
            try await sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name.quoted) WITH (FORCE)").run()
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
        let handle = try await PostgresDatabaseHandle.connect(server: server, database: database, username: username, password: password, maximumConnections: 1, logger: logger)
        do {
            let counts = try await StoreExport(database: handle).counts()
            await handle.close()
            guard counts["leopard_migrations"].map({ $0 > 0 }) ?? false else { throw DumpUnusable("it is not a Leopard store database (no migrations recorded)") }
            return counts
        } catch {
            await handle.close()
            throw error
        }
    }

    private func storeLogin(_ location: TenantDatabaseLocation) throws -> (database: String, role: String, password: String) {
        guard let role = location.role, let sealed = location.sealedPassword else { throw TenantDatabaseMissing(name: location.name) }
        return (try SafeIdentifier(location.name).value, try SafeIdentifier(role).value, try secrets.open(sealed))
    }

    private func connectionArguments(database: String, username: String) -> [String] {
        ["--host=\(server.host)", "--port=\(server.port)", "--username=\(username)", "--dbname=\(database)", "--no-password"]
    }

    /// The password and TLS mode for a client program, in its environment only.
    private func clientEnvironment(password: String?) -> [String: String] {
        var environment = ["PGSSLMODE": server.tls.rawValue, "PGCONNECT_TIMEOUT": "10"]
        if let password { environment["PGPASSWORD"] = password }
        return environment
    }
}
