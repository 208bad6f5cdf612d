import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardPlatform
import LeopardServer
import LeopardStorage
import PostgresNIO
import SQLKit
import Testing

@testable import LeopardOperations

@Suite(
    "PostgreSQL: a database and a role per store",
    .enabled(if: PostgresTestCluster.isAvailable, Comment(rawValue: PostgresTestCluster.skipReason))
)
struct PostgresPlatformTests {
    /// Whether the database and the role of a store exist on the server.
    static func leftovers(_ platform: TestPlatform, tenantID: String) async throws -> (database: Bool, role: Bool) {
        let name = try PostgresTenantProvider.databaseName(tenantID: tenantID).value
        return try await platform.services.platformDatabase.read { sql in
            let database = try await sql.raw("SELECT 1 AS found FROM pg_database WHERE datname = \(bind: name)").first() != nil
            let role = try await sql.raw("SELECT 1 AS found FROM pg_roles WHERE rolname = \(bind: name)").first() != nil
            return (database, role)
        }
    }

    static func server(_ platform: TestPlatform) throws -> PostgresServer {
        try PostgresServer(url: try #require(platform.services.configuration.databaseURL))
    }

    @Test("signup clones a database owned by the store's own role, with sealed credentials")
    func signup() async throws {
        try await TestPlatform.withPlatform(.postgres) { platform, client in
            let response = try await client.signup(storeName: "Acme Tools")
            #expect(response.status == .created)
            #expect(response.json["storage"] as? String == "postgres")
            let id = try #require(response.json["id"] as? String)
            let tenant = try #require(try await platform.services.registry.find(id: id))
            #expect(try await Self.leftovers(platform, tenantID: id) == (true, true))

            let sealed = try #require(tenant.database.sealedPassword)
            #expect(sealed.hasPrefix("v1:"))
            let password = try platform.services.secrets.open(sealed)
            #expect(!sealed.contains(password))

            // Everything in the store database belongs to the store's role; PUBLIC cannot connect.
            let owners = try await platform.services.databases.withDatabase(tenantID: id, location: tenant.database) { db in
                try await db.read { sql in
                    try await sql.raw("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'").all().map {
                        try $0.decode(column: "tableowner", as: String.self)
                    }
                }
            }
            #expect(owners == [tenant.database.role])
            let publicConnect = try await platform.services.platformDatabase.read { sql in
                try await sql.raw("SELECT has_database_privilege('public', \(bind: tenant.database.name), 'CONNECT') AS allowed").first()?.decode(
                    column: "allowed", as: Bool.self)
            }
            #expect(publicConnect == false)

            let store = try await client.execute(uri: "/api/store", method: .get, headers: .host("acme-tools.localhost:8080"))
            #expect(store.status == .ok)
            #expect(store.json["name"] as? String == "Acme Tools")
        }
    }

    @Test("one store's role cannot connect to another store's database")
    func roleIsolation() async throws {
        try await TestPlatform.withPlatform(.postgres) { platform, client in
            let firstID = try #require(try await client.signup(storeName: "First Shop").json["id"] as? String)
            let secondID = try #require(try await client.signup(storeName: "Second Shop", email: "b@example.test").json["id"] as? String)
            let first = try #require(try await platform.services.registry.find(id: firstID))
            let second = try #require(try await platform.services.registry.find(id: secondID))
            let server = try Self.server(platform)
            let password = try platform.services.secrets.open(try #require(first.database.sealedPassword))

            let own = try await PostgresDatabaseHandle.connect(
                server: server, database: first.database.name, username: first.database.role, password: password, maximumConnections: 1)
            await own.close()

            // CONNECT is revoked from PUBLIC on every store database: permission denied (42501).
            let foreignError = await #expect(throws: (any Error).self) {
                let foreign = try await PostgresDatabaseHandle.connect(
                    server: server, database: second.database.name, username: first.database.role, password: password, maximumConnections: 1)
                await foreign.close()
            }
            #expect(foreignError.flatMap(DatabaseErrors.sqlState) == "42501")
            // Nor with a wrong password to its own (28P01).
            let wrongError = await #expect(throws: (any Error).self) {
                let wrong = try await PostgresDatabaseHandle.connect(
                    server: server, database: first.database.name, username: first.database.role, password: "wrong", maximumConnections: 1)
                await wrong.close()
            }
            #expect(wrongError.flatMap(DatabaseErrors.sqlState) == "28P01")
            // Nor the platform database, which holds the registry and the sealed secrets.
            let platformError = await #expect(throws: (any Error).self) {
                let platformDatabase = try await PostgresDatabaseHandle.connect(
                    server: server, username: first.database.role, password: password, maximumConnections: 1)
                await platformDatabase.close()
            }
            #expect(platformError.flatMap(DatabaseErrors.sqlState) == "42501")
        }
    }

    @Test("a failure at any step leaves no row, no database and no role", arguments: ProvisioningStep.allCases)
    func rollback(_ step: ProvisioningStep) async throws {
        let fault = OneShotFault(at: step)
        try await TestPlatform.withPlatform(.postgres, configure: { $0.provisioningFaults = fault.injector }) { platform, client in
            let failed = try await client.signup(storeName: "Doomed Shop")
            #expect(failed.status == .serviceUnavailable)
            #expect(try await platform.services.registry.count() == 0)
            let attempt = try #require(try await platform.services.provisioningLog.recent().first)
            #expect(attempt.failedStep == step)
            #expect(try await Self.leftovers(platform, tenantID: attempt.tenantID) == (false, false))
            #expect(await platform.services.databases.stats().open == 0)
            #expect(try await client.signup(storeName: "Doomed Shop").status == .created)
        }
    }

    @Test("purge drops the database and the role")
    func purge() async throws {
        try await TestPlatform.withPlatform(.postgres) { platform, client in
            let id = try #require(try await client.signup(storeName: "Acme").json["id"] as? String)
            _ = try await client.execute(uri: "/api/store", method: .get, headers: .host("acme.localhost"))
            #expect(try await client.execute(uri: "/api/tenants/\(id)", method: .delete, headers: .operatorAuth).status == .ok)
            #expect(try await Self.leftovers(platform, tenantID: id) == (true, true))
            #expect(try await client.execute(uri: "/api/tenants/\(id)?purge=true", method: .delete, headers: .operatorAuth).status == .noContent)
            #expect(try await Self.leftovers(platform, tenantID: id) == (false, false))
        }
    }

    @Test("concurrent signups each get their own database")
    func concurrentSignups() async throws {
        try await TestPlatform.withPlatform(.postgres) { platform, client in
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        let response = try await client.signup(storeName: "Crowd \(index)", email: "o\(index)@crowd.test", password: nil)
                        return response.status == .created ? response.json["id"] as? String : nil
                    }
                }
                var ids: [String] = []
                for try await id in group { if let id { ids.append(id) } }
                return ids
            }
            #expect(Set(ids).count == 20)
            for id in ids {
                #expect(try await Self.leftovers(platform, tenantID: id) == (true, true))
            }
        }
    }

    @Test("a store database that is behind is migrated when opened")
    func migratesOnOpen() async throws {
        let platform = try await TestPlatform.start(.postgres)
        let url = try #require(platform.services.configuration.databaseURL)
        let id = try await platform.withClient { client in
            try #require(try await client.signup(storeName: "Old Shop").json["id"] as? String)
        }
        await platform.services.shutdown()

        // The same platform restarted with a newer store schema.
        let extra = Migration("9999_notes", ["CREATE TABLE notes (body TEXT)"])
        var configuration = TestPlatform.configuration(directory: platform.directory, databaseURL: url)
        configuration.storeMigrations.append(extra)
        let upgraded = try await LeopardServices.start(configuration)
        defer { platform.directory.remove() }
        let tenant = try #require(try await upgraded.registry.find(id: id))
        let applied = try await upgraded.databases.withDatabase(tenantID: id, location: tenant.database) { db in
            try await upgraded.storeMigrator.applied(on: db)
        }
        #expect(applied.contains("9999_notes"))
        await upgraded.shutdown()
    }
}
