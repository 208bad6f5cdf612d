import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardPlatform
import LeopardStorage
import SQLKit
import Testing

@testable import LeopardOperations
@testable import LeopardServer

/// Two throwaway PostgreSQL clusters: the platform's own server and a second one added as a pod.
@Suite("Pods: PostgreSQL servers for store databases")
struct PodTests {
    static var canMakeClusters: Bool { PostgresTestCluster.binDirectory != nil }

    /// Runs only where a second cluster can be made (CI requires it).
    static var needsSecondCluster: ConditionTrait {
        .enabled(if: canMakeClusters || PostgresTestCluster.required, "needs PostgreSQL's server binaries to make a second cluster")
    }

    /// A platform on the shared cluster, and a second cluster of its own for a pod: `body` gets
    /// the second cluster (to stop it) and its server. The second cluster is stopped afterwards,
    /// whatever happens.
    func withSecondCluster(
        _ body: @escaping @Sendable (PostgresTestCluster, PostgresServer, TestPlatform, any TestClientProtocol) async throws -> Void
    ) async throws {
        let second = PostgresTestCluster.separate()
        let podServer = try await second.server()
        do {
            try await TestPlatform.withPlatform(.postgres) { platform, client in try await body(second, podServer, platform, client) }
        } catch {
            try? await second.stop()
            throw error
        }
        try? await second.stop()
    }

    func url(_ server: PostgresServer) -> String {
        "postgres://\(server.username):\(server.password ?? "")@\(server.host):\(server.port)/\(server.database)"
    }

    func databaseExists(_ name: String, on server: PostgresServer) async throws -> Bool {
        let admin = try await PostgresDatabaseHandle.connect(server: server, maximumConnections: 1)
        let found = try await admin.read { sql in
            try await sql.raw("SELECT 1 AS found FROM pg_database WHERE datname = \(bind: name)").first() != nil
        }
        await admin.close()
        return found
    }

    @Test(
        "new stores go to the least-loaded server with room, each database on its server; a pod that goes down leaves the other server's stores and the platform answering",
        Self.needsSecondCluster, .timeLimit(.minutes(3)))
    func placementAndOutage() async throws {
        let home = try await PostgresTestCluster.shared.server()
        try await withSecondCluster { second, podServer, platform, client in
            let admin = PodAdmin(services: platform.services.platform)
            let pod = try await admin.add(name: "pod-b", url: url(podServer), maxStores: 3)
            #expect(pod.name == "pod-b")
            await #expect(throws: PodRegistry.Invalid.self, "a name taken") { _ = try await admin.add(name: "pod-b", url: url(podServer), maxStores: 3) }
            await #expect(throws: PodRegistry.Invalid.self, "a bad name") { _ = try await admin.add(name: "Pod B!", url: url(podServer), maxStores: 3) }
            await #expect(throws: (any Error).self, "a server that does not answer") {
                _ = try await admin.add(name: "pod-c", url: "postgres://leopard:x@127.0.0.1:\(try FreePort.tcp())/postgres", maxStores: 3)
            }

            var stores: [StoreFixture] = []
            for index in 0..<6 { stores.append(try await client.makeStore("Pod Store \(index)")) }
            var tenants: [Tenant] = []
            for store in stores { tenants.append(try #require(try await platform.services.registry.find(id: store.id))) }
            let onPod = tenants.filter { $0.database.pod == "pod-b" }
            let onHome = tenants.filter { $0.database.pod == nil }
            #expect(onPod.count == 3 && onHome.count == 3, "spread evenly: \(tenants.map { $0.database.pod ?? "main" })")
            for tenant in onPod {
                #expect(try await databaseExists(tenant.database.name, on: podServer))
                #expect(try await !databaseExists(tenant.database.name, on: home))
            }
            for tenant in onHome { #expect(try await !databaseExists(tenant.database.name, on: podServer)) }
            // Stores on the pod work like any other.
            let podStore = try #require(stores.first { $0.id == onPod.first?.id })
            #expect(try await client.call(.post, "/api/products", store: podStore, json: ["title": "On pod b", "price": 700, "stock": 1]).status == .created)

            // The isolation audit asks each server about its own stores.
            let audit = try await IsolationAudit(services: platform.services.platform).run()
            #expect(audit.clean, "\(audit.findings)")
            // A planted fault on the pod's server is found there.
            let (one, two) = (onPod[0], onPod[1])
            let podAdmin = try await PostgresDatabaseHandle.connect(server: podServer, maximumConnections: 1)
            try await podAdmin.read { sql in
                try await sql.raw(SQLQueryString("GRANT CONNECT ON DATABASE \"\(two.database.name)\" TO \"\(one.database.role ?? "")\"")).run()
            }
            let planted = try await IsolationAudit(services: platform.services.platform).run()
            #expect(planted.findings.contains { $0.tenantId == one.id && $0.check == "connect" }, "\(planted.findings)")
            try await podAdmin.read { sql in
                try await sql.raw(SQLQueryString("REVOKE CONNECT ON DATABASE \"\(two.database.name)\" FROM \"\(one.database.role ?? "")\"")).run()
            }
            await podAdmin.close()

            let lines = try await admin.list()
            #expect(lines.map(\.name) == ["main", "pod-b"])
            #expect(lines.map(\.stores) == [3, 3])
            #expect(lines.allSatisfy { $0.error == nil && ($0.connections ?? 0) > 0 })

            // The pod is full (3 of 3): the next store goes to the platform's own server.
            let seventh = try await client.makeStore("Pod Store Seven")
            #expect(try await platform.services.registry.find(id: seventh.id)?.database.pod == nil)

            // Pod b goes down.
            try await second.stop()
            for tenant in onHome {
                let store = try #require(stores.first { $0.id == tenant.id })
                #expect(try await client.call(.get, "/api/orders", store: store).status == .ok, "stores on the other server keep answering")
            }
            #expect(try await client.execute(uri: "/readyz", method: .get, headers: .host("localhost"), body: nil).status == .ok)
            #expect(try await client.signup(storeName: "After The Outage").status == .created, "signups go on")
            let down = try await client.call(.get, "/api/orders", store: podStore)
            #expect(down.status == .serviceUnavailable, "a store on the pod that is down: \(down.status)")
            #expect(down.headers[.retryAfter] != nil)
            let listed = try await admin.list()
            #expect(listed.first { $0.name == "pod-b" }?.error != nil, "pods list says the pod is down")
        }
    }

    @Test("pods need PostgreSQL")
    func sqliteHasNoPods() async throws {
        try await TestPlatform.withPlatform(.sqlite) { platform, _ in
            await #expect(throws: PodAdmin.NotPostgres.self) {
                _ = try await PodAdmin(services: platform.services.platform).add(name: "pod-b", url: "postgres://a@b/c", maxStores: 1)
            }
        }
    }
}
