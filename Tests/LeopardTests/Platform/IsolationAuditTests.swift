import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardStorage
import SQLKit
import Testing

@testable import LeopardOperations
@testable import LeopardServer

@Suite("Isolation audit")
struct IsolationAuditTests {
    @Test("clean on stores made by signup; a store's file moved away, or a stray database file, is reported", arguments: [TestPlatform.Storage.sqlite])
    func sqliteFaults(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            var stores: [StoreFixture] = []
            for index in 0..<4 { stores.append(try await client.makeStore("Audit Shop \(index)")) }
            #expect(try await client.execute(uri: "/api/audit/isolation", method: .get, headers: [:]).status == .unauthorized)
            let clean = try await client.execute(uri: "/api/audit/isolation", method: .get, headers: .operatorAuth)
            #expect(clean.status == .ok, "\(clean.text)")
            #expect(clean.json["clean"] as? Bool == true)
            #expect(clean.json["stores"] as? Int == 4)
            #expect((clean.json["checks"] as? Int ?? 0) >= 4 * 3)

            // Plant two faults: one store's file moved out of place, and a copy lying around.
            let moved = try #require(try await platform.services.directory.tenant(id: stores[1].id))
            await platform.services.databases.close(tenantID: moved.id)
            let folder = platform.tenantsDirectory
            let file = folder.appendingPathComponent(moved.database.name)
            try FileManager.default.moveItem(at: file, to: folder.appendingPathComponent("elsewhere.sqlite"))
            let report = try await platform.services.platform.auditIsolation()
            #expect(report.findings.contains { $0.tenantId == moved.id && $0.check == "location" })
            #expect(report.findings.contains { $0.tenantId == nil && $0.detail.contains("elsewhere.sqlite") })
            let response = try await client.execute(uri: "/api/audit/isolation", method: .get, headers: .operatorAuth)
            #expect(response.status == .conflict)
            #expect(response.json["clean"] as? Bool == false)
        }
    }

    @Test("PostgreSQL: clean on stores made by signup; a CONNECT grant to another store's role, or a database given to the wrong owner, is reported")
    func postgresFaults() async throws {
        guard PostgresTestCluster.isAvailable else { return }
        try await TestPlatform.withPlatform(.postgres) { platform, client in
            var stores: [StoreFixture] = []
            for index in 0..<3 { stores.append(try await client.makeStore("Pg Audit \(index)")) }
            let clean = try await platform.services.platform.auditIsolation()
            #expect(clean.findings.isEmpty, "\(clean.findings.map(\.detail))")
            #expect(clean.stores == 3)
            let first = try #require(try await platform.services.directory.tenant(id: stores[0].id))
            let second = try #require(try await platform.services.directory.tenant(id: stores[1].id))
            let role = try #require(first.database.role)
            try await platform.services.platformDatabase.write { sql in
                try await sql.raw(SQLQueryString("GRANT CONNECT ON DATABASE \"\(second.database.name)\" TO \"\(role)\"")).run()
            }
            let report = try await platform.services.platform.auditIsolation()
            #expect(report.findings.contains { $0.tenantId == first.id && $0.check == "connect" && $0.detail.contains(second.database.name) })
            #expect(!report.findings.contains { $0.tenantId == second.id })
        }
    }
}
