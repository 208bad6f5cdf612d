import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardCore
import LeopardPlatform
@testable import LeopardServer
import LeopardStorage
import SQLKit
import Testing

/// `leopard tenants move`: a store's database from one PostgreSQL server to another while the
/// store keeps answering. Part of the pods suite, which CI requires to run.
extension PodTests {
    /// The databases and roles on a server whose names start with `leopard_` (store databases,
    /// their roles, templates).
    func storeObjects(on server: PostgresServer) async throws -> [String] {
        let admin = try await PostgresDatabaseHandle.connect(server: server, maximumConnections: 1)
        defer { Task { await admin.close() } }
        return try await admin.read { sql in
            try await sql.raw("""
                SELECT 'db ' || datname AS name FROM pg_database WHERE datname NOT LIKE '%template%' AND datname LIKE 'leopard\\_t%'
                UNION ALL SELECT 'role ' || rolname FROM pg_roles WHERE rolname LIKE 'leopard\\_t%' ORDER BY 1
                """).all().map { try $0.decode(column: "name", as: String.self) }
        }
    }

    @Test("a store moves to the other server and back: data equal before and after, reads served and writes refused with Retry-After while it is copied, a write in flight rolled back rather than lost",
          .enabled(if: canMakeClusters || PostgresTestCluster.required, "needs PostgreSQL's server binaries to make a second cluster"), .timeLimit(.minutes(3)))
    func moveAndBack() async throws {
        let second = PostgresTestCluster.separate()
        let podServer = try await second.server()
        let home = try await PostgresTestCluster.shared.server()
        try await TestPlatform.withPlatform(.postgres) { platform, client in
            _ = try await PodAdmin(services: platform.services).add(name: "pod-b", url: url(podServer), maxStores: 10)
            let store = try await stockedStore(client, "Moving Store")
            let original = try await platform.tenant(store.id)
            #expect(original.database.pod == nil, "the first store goes to main on a tie")
            let before = try await platform.export(store.id)
            #expect(before.contains("## orders") && before.contains("Cup"))
            let podObjectsBefore = try await storeObjects(on: podServer)

            // A write that is under way when the move starts: its transaction is open on the old
            // database, and it tries to commit only after writes are paused.
            let (gate, opened) = AsyncStream<Void>.makeStream()
            let (began, beginning) = AsyncStream<Void>.makeStream()
            let inFlight = Task {
                try await platform.services.databases.withDatabase(tenantID: original.id, location: original.database) { database in
                    try await database.write { sql in
                        try await sql.raw("UPDATE store_settings SET name = 'Written during the move'").run()
                        beginning.yield()
                        for await _ in gate { break }
                    }
                }
            }
            for await _ in began { break }

            let seen = SeenDuringMove()
            let move = TenantMove(services: platform.services) { step, moving in
                guard step == .writesPaused else { return }
                opened.yield()
                await seen.inFlight(await inFlight.result)
                #expect(moving.isReadOnly)
                // Writes: refused before any handler runs, on the API and on the pages.
                let write = try await client.call(.post, "/api/products", store: store, json: ["title": "During", "price": 100, "stock": 1])
                await seen.write(write.status, retryAfter: write.headers[.retryAfter], type: write.json["type"] as? String)
                let page = try await client.execute(uri: "/cart/add", method: .post, headers: .host(store.host), body: nil)
                await seen.page(page.status, isHTML: page.headers[.contentType]?.hasPrefix("text/html") ?? false)
                // Reads go on.
                let read = try await client.call(.get, "/api/products", store: store)
                let storefront = try await client.execute(uri: "/", method: .get, headers: .host(store.host), body: nil)
                await seen.reads([read.status, storefront.status])
                // Under it, the old database refuses writes itself.
                let direct = try await platform.services.databases.provider.open(original.database)
                do {
                    try await direct.write { sql in try await sql.raw("UPDATE store_settings SET name = 'Direct'").run() }
                    await seen.direct(nil)
                } catch {
                    await seen.direct(error)
                }
                await direct.close()
            }
            let report = try await move.move(store.slug, to: "pod-b")

            let observed = await seen.snapshot()
            #expect(observed.inFlightFailed, "the in-flight write did not commit")
            #expect(observed.writeStatus == .serviceUnavailable && observed.retryAfter == "5", "\(observed)")
            #expect(observed.writeType?.hasSuffix("read-only") == true)
            #expect(observed.pageStatus == .serviceUnavailable && observed.pageIsHTML, "a friendly page on the HTML routes")
            #expect(observed.readStatuses == [.ok, .ok])
            #expect(observed.directRefusedAsReadOnly, "the database itself refused the write")

            #expect(report.from == "main" && report.to == "pod-b" && report.oldDropped)
            #expect(report.tables > 10 && report.rows > 0)
            let moved = try await platform.tenant(store.id)
            #expect(moved.database.pod == "pod-b" && !moved.isReadOnly && moved.status == .active)
            #expect(try await databaseExists(moved.database.name, on: podServer))
            #expect(try await !databaseExists(original.database.name, on: home), "the old database is dropped")
            #expect(try await !storeObjects(on: home).contains("role \(original.database.role ?? "")"), "and its role")
            #expect(try await platform.export(store.id) == before, "the data is what it was, byte for byte")
            // The store takes writes on its new server, through the API.
            #expect(try await client.call(.post, "/api/products", store: store, json: ["title": "After", "price": 100, "stock": 1]).status == .created)
            let afterWrite = try await platform.export(store.id)

            // And back to the platform's own server.
            let back = try await TenantMove(services: platform.services).move(store.id, to: "main")
            #expect(back.from == "pod-b" && back.to == "main")
            #expect(try await platform.tenant(store.id).database.pod == nil)
            #expect(try await platform.export(store.id) == afterWrite)
            #expect(try await storeObjects(on: podServer) == podObjectsBefore, "nothing left on the pod")
            #expect(try await client.call(.get, "/api/orders", store: store).status == .ok)

            // What is refused, changing nothing.
            let mover = TenantMove(services: platform.services)
            await #expect(throws: TenantMove.Refused.self, "already there") { _ = try await mover.move(store.id, to: "main") }
            await #expect(throws: TenantMove.Refused.self, "no such pod") { _ = try await mover.move(store.id, to: "pod-z") }
            await #expect(throws: TenantMove.Refused.self, "no such store") { _ = try await mover.move("no-such-store", to: "pod-b") }
            await #expect(throws: TenantMove.Refused.self, "not being moved") { _ = try await mover.abort(store.id) }
            #expect(try await platform.export(store.id) == afterWrite)
        }
        try await second.stop()
    }

    @Test("a move that fails at any step leaves the store where it was, writable, with no copy left; a move whose process died is aborted",
          .enabled(if: canMakeClusters || PostgresTestCluster.required, "needs PostgreSQL's server binaries to make a second cluster"), .timeLimit(.minutes(3)))
    func failedMoves() async throws {
        let second = PostgresTestCluster.separate()
        let podServer = try await second.server()
        try await TestPlatform.withPlatform(.postgres) { platform, client in
            _ = try await PodAdmin(services: platform.services).add(name: "pod-b", url: url(podServer), maxStores: 10)
            let store = try await stockedStore(client, "Staying Store")
            let original = try await platform.tenant(store.id)
            let podObjects = try await storeObjects(on: podServer)
            struct Injected: Error {}

            for failing in TenantMove.Step.allCases {
                let before = try await platform.export(store.id)
                let move = TenantMove(services: platform.services) { step, _ in
                    if step == failing { throw Injected() }
                }
                await #expect(throws: Injected.self, "fails at \(failing)") { _ = try await move.move(store.id, to: "pod-b") }
                let after = try await platform.tenant(store.id)
                #expect(after.database == original.database && !after.isReadOnly && after.status == .active, "registry unchanged after failing at \(failing)")
                #expect(try await storeObjects(on: podServer) == podObjects, "no copy left after failing at \(failing)")
                #expect(try await platform.export(store.id) == before)
                let write = try await client.call(.patch, "/api/settings", store: store, json: ["name": "Renamed after \(failing)"])
                #expect(write.status == .ok, "writable again after failing at \(failing): \(write.text)")
                #expect(try await client.call(.patch, "/api/settings", store: store, json: ["name": "Staying Store"]).status == .ok)
            }

            // A mover that died after pausing writes: the store stays read-only until aborted.
            let provider = try #require(platform.services.databases.provider as? any TenantDatabaseWritePause)
            var target = try provider.plan(tenantID: "\(store.id)_mdead")
            target.pod = "pod-b"
            let moving = try #require(try await platform.services.registry.beginMove(id: store.id, from: original.database, to: target))
            try await provider.pauseWrites(original.database)
            await platform.services.directory.invalidate(id: store.id, slug: store.slug)
            #expect(moving.isReadOnly)
            #expect(try await client.call(.patch, "/api/settings", store: store, json: ["name": "Refused"]).status == .serviceUnavailable)
            await #expect(throws: TenantMove.Refused.self, "a second move while one is recorded") { _ = try await TenantMove(services: platform.services).move(store.id, to: "pod-b") }
            // A restore over it is refused too: the registry's conditional update sees the move.
            let restoreTarget = try provider.plan(tenantID: "\(store.id)_rtest")
            #expect(try await platform.services.registry.relocate(id: store.id, from: original.database, to: restoreTarget, ifStatus: [.active]) == nil)

            let aborted = try await TenantMove(services: platform.services).abort(store.slug)
            #expect(aborted.database == original.database && !aborted.isReadOnly)
            #expect(try await client.call(.patch, "/api/settings", store: store, json: ["name": "Writable Again"]).status == .ok)
            #expect(try await storeObjects(on: podServer) == podObjects)
        }
        try await second.stop()
    }

    @Test("moves need PostgreSQL; a store recorded as moving refuses writes before any handler runs, and serves reads")
    func sqliteHasNoMoves() async throws {
        try await TestPlatform.withPlatform(.sqlite) { platform, client in
            let store = try await client.makeStore("Flat File Store")
            await #expect(throws: TenantMove.Refused.self) { _ = try await TenantMove(services: platform.services).move(store.id, to: "pod-b") }

            // The registry alone (this database takes writes): the refusal is the platform's.
            let tenant = try await platform.tenant(store.id)
            let target = TenantDatabaseLocation(kind: .sqlite, name: "elsewhere.sqlite")
            _ = try #require(try await platform.services.registry.beginMove(id: store.id, from: tenant.database, to: target))
            await platform.services.directory.invalidate(id: store.id, slug: store.slug)
            let write = try await client.call(.post, "/api/products", store: store, json: ["title": "Refused", "price": 100, "stock": 1])
            #expect(write.status == .serviceUnavailable && write.headers[.retryAfter] == "5")
            let page = try await client.execute(uri: "/cart/add", method: .post, headers: .host(store.host), body: nil)
            #expect(page.status == .serviceUnavailable && page.text.contains("One moment"), "a friendly page: \(page.text.prefix(200))")
            #expect(try await client.call(.get, "/api/products", store: store).status == .ok)
            #expect(try await !platform.export(store.id).contains("Refused"), "nothing was written")
            // The operator sees it on the control plane.
            var operatorHeaders = HTTPFields.operatorAuth
            operatorHeaders[HTTPField.Name("Host")!] = "localhost"
            let shown = try await client.execute(uri: "/api/tenants/\(store.id)", method: .get, headers: operatorHeaders, body: nil)
            #expect(shown.json["readOnly"] as? Bool == true)
            _ = try #require(try await platform.services.registry.cancelMove(id: store.id, target: target))
            await platform.services.directory.invalidate(id: store.id, slug: store.slug)
            #expect(try await client.call(.post, "/api/products", store: store, json: ["title": "Taken", "price": 100, "stock": 1]).status == .created)
            #expect(try await client.execute(uri: "/api/tenants/\(store.id)", method: .get, headers: operatorHeaders, body: nil).json["readOnly"] as? Bool == false)
        }
    }
}

/// What the test saw while a store was read-only.
private actor SeenDuringMove {
    struct Snapshot: Sendable, CustomStringConvertible {
        var inFlightFailed = false
        var writeStatus: HTTPResponse.Status?
        var retryAfter: String?
        var writeType: String?
        var pageStatus: HTTPResponse.Status?
        var pageIsHTML = false
        var readStatuses: [HTTPResponse.Status] = []
        var directRefusedAsReadOnly = false
        var description: String { "write \(String(describing: writeStatus)) retry-after \(retryAfter ?? "none"), page \(String(describing: pageStatus)), reads \(readStatuses)" }
    }

    private var state = Snapshot()

    func inFlight(_ result: Result<Void, any Error>) {
        if case .failure = result { state.inFlightFailed = true }
    }

    func write(_ status: HTTPResponse.Status, retryAfter: String?, type: String?) {
        state.writeStatus = status
        state.retryAfter = retryAfter
        state.writeType = type
    }

    func page(_ status: HTTPResponse.Status, isHTML: Bool) {
        state.pageStatus = status
        state.pageIsHTML = isHTML
    }

    func reads(_ statuses: [HTTPResponse.Status]) { state.readStatuses = statuses }

    func direct(_ error: (any Error)?) { state.directRefusedAsReadOnly = error.map(DatabaseErrors.isReadOnly) ?? false }

    func snapshot() -> Snapshot { state }
}
