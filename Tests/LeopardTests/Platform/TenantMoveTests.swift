import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardCore
import LeopardPlatform
import LeopardStorage
import SQLKit
import Testing

@testable import LeopardOperations
@testable import LeopardServer

/// `leopard tenants move`: a store's database from one PostgreSQL server to another while the
/// store keeps answering. Part of the pods suite, which CI requires to run.
extension PodTests {
    /// The databases and roles on a server whose names start with `leopard_` (store databases,
    /// their roles, templates).
    func storeObjects(on server: PostgresServer) async throws -> [String] {
        let admin = try await PostgresDatabaseHandle.connect(server: server, maximumConnections: 1)
        defer { Task { await admin.close() } }
        return try await admin.read { sql in
            try await sql.raw(
                """
                SELECT 'db ' || datname AS name FROM pg_database WHERE datname NOT LIKE '%template%' AND datname LIKE 'leopard\\_t%'
                UNION ALL SELECT 'role ' || rolname FROM pg_roles WHERE rolname LIKE 'leopard\\_t%' ORDER BY 1
                """
            ).all().map { try $0.decode(column: "name", as: String.self) }
        }
    }

    @Test(
        "a store moves to the other server and back: data equal before and after, reads served and writes refused with Retry-After while it is copied, a write in flight rolled back rather than lost",
        Self.needsSecondCluster, .timeLimit(.minutes(3)))
    func moveAndBack() async throws {
        let home = try await PostgresTestCluster.shared.server()
        try await withSecondCluster { _, podServer, platform, client in
            _ = try await PodAdmin(services: platform.services.platform).add(name: "pod-b", url: url(podServer), maxStores: 10)
            let store = try await stockedStore(client, "Moving Store")
            let original = try await platform.tenant(store.id)
            #expect(original.database.pod == nil, "the first store goes to main on a tie")
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

            let apiKey = try #require(try await client.call(.post, "/api/api-keys", store: store, json: ["name": "reader"]).json["secret"] as? String)
            let before = try await platform.export(store.id)
            #expect(before.contains("## orders") && before.contains("Cup"))
            let seen = SeenDuringMove()
            let move = TenantMove(services: platform.services.platform) { step, moving in
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
                // A read with an API key (whose last use is normally recorded) is served at once.
                let keyed = await finishes(within: .seconds(20)) {
                    try await client.call(.get, "/api/products", host: store.host, token: apiKey).status
                }
                await seen.keyedRead(try keyed?.get())
                // Under it, the old database holds writes off itself: one sent straight to it
                // (an instance that has not heard of the move) waits, and never commits.
                let direct = try await platform.services.databases.provider.open(original.database)
                await seen.direct(
                    Task {
                        defer { Task { await direct.close() } }
                        try await direct.write { sql in try await sql.raw("UPDATE store_settings SET name = 'Direct'").run() }
                    })
            }
            let report = try await move.move(store.slug, to: "pod-b")
            let directResult = await seen.directTask?.result

            let observed = await seen.snapshot()
            #expect(observed.inFlightFailed, "the in-flight write did not commit")
            #expect(observed.writeStatus == .serviceUnavailable && observed.retryAfter == "5", "\(observed)")
            #expect(observed.writeType?.hasSuffix("read-only") == true)
            #expect(observed.pageStatus == .serviceUnavailable && observed.pageIsHTML, "a friendly page on the HTML routes")
            #expect(observed.readStatuses == [.ok, .ok])
            #expect(observed.keyedRead == .ok, "a read with an API key during the move")
            if case .success = directResult { Issue.record("a write sent straight to the old database committed") }
            #expect(try await !platform.export(store.id).contains("Direct"))

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
            let back = try await TenantMove(services: platform.services.platform).move(store.id, to: "main")
            #expect(back.from == "pod-b" && back.to == "main")
            #expect(try await platform.tenant(store.id).database.pod == nil)
            #expect(try await platform.export(store.id) == afterWrite)
            #expect(try await storeObjects(on: podServer) == podObjectsBefore, "nothing left on the pod")
            #expect(try await client.call(.get, "/api/orders", store: store).status == .ok)

            // What is refused, changing nothing.
            let mover = TenantMove(services: platform.services.platform)
            await #expect(throws: TenantMove.Refused.self, "already there") { _ = try await mover.move(store.id, to: "main") }
            await #expect(throws: TenantMove.Refused.self, "no such pod") { _ = try await mover.move(store.id, to: "pod-z") }
            await #expect(throws: TenantMove.Refused.self, "no such store") { _ = try await mover.move("no-such-store", to: "pod-b") }
            await #expect(throws: TenantMove.Refused.self, "not being moved") { _ = try await mover.abort(store.id) }
            #expect(try await platform.export(store.id) == afterWrite)
        }
    }

    @Test(
        "a move that fails at any step leaves the store where it was, writable, with no copy left; a move whose process died is aborted",
        Self.needsSecondCluster, .timeLimit(.minutes(3)))
    func failedMoves() async throws {
        try await withSecondCluster { _, podServer, platform, client in
            _ = try await PodAdmin(services: platform.services.platform).add(name: "pod-b", url: url(podServer), maxStores: 10)
            let store = try await stockedStore(client, "Staying Store")
            let original = try await platform.tenant(store.id)
            let podObjects = try await storeObjects(on: podServer)
            struct Injected: Error {}

            for failing in TenantMove.Step.allCases {
                let before = try await platform.export(store.id)
                let move = TenantMove(services: platform.services.platform) { step, _ in
                    // Reads during the pause open sessions, which are read-only: after the
                    // move fails, writes must work all the same.
                    let read = try await client.call(.get, "/api/products", store: store)
                    #expect(read.status == .ok, "reads go on at \(step)")
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

            // An operator aborts a move whose mover is still running (and then another move
            // could start): the first mover must not switch, and must not turn writes back on.
            let abortedUnderIt = TenantMove(services: platform.services.platform) { step, _ in
                if step == .copied { _ = try await TenantMove(services: platform.services.platform).abort(store.id) }
            }
            await #expect(throws: (any Error).self, "the mover learns it lost") { _ = try await abortedUnderIt.move(store.id, to: "pod-b") }
            let afterAbort = try await platform.tenant(store.id)
            #expect(afterAbort.database == original.database && !afterAbort.isReadOnly)
            #expect(try await storeObjects(on: podServer) == podObjects, "the copy is removed")
            #expect(try await client.call(.patch, "/api/settings", store: store, json: ["name": "After Abort"]).status == .ok)

            // A mover that died after pausing writes: the store stays read-only until aborted.
            let provider = try #require(platform.services.databases.provider as? any TenantDatabaseWritePause)
            var target = try provider.plan(tenantID: "\(store.id)_mdead")
            target.pod = "pod-b"
            let moving = try #require(try await platform.services.registry.beginMove(id: store.id, from: original.database, to: target))
            let deadHold = try await provider.pauseWrites(original.database)
            await platform.services.directory.invalidate(id: store.id, slug: store.slug)
            #expect(moving.isReadOnly)
            #expect(try await client.call(.get, "/api/products", store: store).status == .ok, "reads go on")
            #expect(try await client.call(.patch, "/api/settings", store: store, json: ["name": "Refused"]).status == .serviceUnavailable)
            await #expect(throws: TenantMove.Refused.self, "a second move while one is recorded") {
                _ = try await TenantMove(services: platform.services.platform).move(store.id, to: "pod-b")
            }
            // A restore over it is refused too: the registry's conditional update sees the move.
            let restoreTarget = try provider.plan(tenantID: "\(store.id)_rtest")
            #expect(try await platform.services.registry.relocate(id: store.id, from: original.database, to: restoreTarget, ifStatus: [.active]) == nil)
            // So is a purge: the copy on the other server would be left behind.
            #expect(try await platform.services.lifecycle.softDelete(id: store.id) != .notFound)
            #expect(try await platform.services.lifecycle.purge(id: store.id) == .moving)
            #expect(try await platform.services.lifecycle.restore(id: store.id) != .notFound)

            let aborted = try await TenantMove(services: platform.services.platform).abort(store.slug)
            #expect(aborted.database == original.database && !aborted.isReadOnly)
            #expect(try await client.call(.patch, "/api/settings", store: store, json: ["name": "Writable Again"]).status == .ok)
            #expect(try await storeObjects(on: podServer) == podObjects)
            await deadHold.release()

            // A database a failed move left refusing writes, with the record already cleared:
            // abort mends it; on a healthy store it is refused.
            let leftOver = try await provider.pauseWrites(original.database)
            await leftOver.release()
            #expect(try await provider.isPaused(original.database))
            _ = try await TenantMove(services: platform.services.platform).abort(store.id)
            #expect(try await !provider.isPaused(original.database))
            #expect(try await client.call(.patch, "/api/settings", store: store, json: ["name": "Mended"]).status == .ok)
            await #expect(throws: TenantMove.Refused.self, "not being moved") { _ = try await TenantMove(services: platform.services.platform).abort(store.id) }
        }
    }

    @Test("moves need PostgreSQL; a store recorded as moving refuses writes before any handler runs, and serves reads")
    func sqliteHasNoMoves() async throws {
        try await TestPlatform.withPlatform(.sqlite) { platform, client in
            let store = try await client.makeStore("Flat File Store")
            await #expect(throws: TenantMove.Refused.self) { _ = try await TenantMove(services: platform.services.platform).move(store.id, to: "pod-b") }

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
            #expect(
                try await client.execute(uri: "/api/tenants/\(store.id)", method: .get, headers: operatorHeaders, body: nil).json["readOnly"] as? Bool == false)
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
        var keyedRead: HTTPResponse.Status?
        var description: String {
            "write \(String(describing: writeStatus)) retry-after \(retryAfter ?? "none"), page \(String(describing: pageStatus)), reads \(readStatuses)"
        }
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

    private(set) var directTask: Task<Void, any Error>?

    func direct(_ task: Task<Void, any Error>) { directTask = task }

    func keyedRead(_ status: HTTPResponse.Status?) { state.keyedRead = status }

    func snapshot() -> Snapshot { state }
}
