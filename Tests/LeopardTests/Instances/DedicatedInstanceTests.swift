import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LeopardPlatform
import LeopardStorage
import NIOCore
import Testing

@testable import LeopardOperations
@testable import LeopardServer

#if canImport(Glibc)
    import Glibc
#endif

/// A store marked dedicated is served by its own `leopard serve --tenant ID` process, started on
/// demand by the platform and stopped when idle. These tests run the real `leopard` executable
/// built beside the tests.
@Suite("Dedicated instances")
struct DedicatedInstanceTests {
    static let servedBy = HTTPField.Name("X-Leopard-Served-By")!

    func withDedicatedPlatform(_ body: @Sendable (TestPlatform, any TestClientProtocol) async throws -> Void) async throws {
        let executable = try #require(ServerProcess.executable, "the leopard executable is built beside the tests (swift build)")
        try await TestPlatform.withPlatform(.sqlite, configure: { $0.dedicatedExecutable = executable }) { platform, client in
            try await body(platform, client)
        }
    }

    func dedicate(_ client: some TestClientProtocol, _ store: StoreFixture, _ value: Bool) async throws {
        let response = try await client.execute(
            uri: "/api/tenants/\(store.id)", method: .patch, headers: .json(extra: [.authorization: "Bearer \(TestPlatform.operatorToken)"]),
            body: ByteBuffer(string: "{\"dedicated\": \(value)}"))
        try #require(response.status == .ok, "\(response.text)")
        #expect(response.json["dedicated"] as? Bool == value)
    }

    /// Whether the process runs: it exists and is not a zombie. A killed child whose exit the
    /// parent's Foundation has not reaped yet (its manager thread is slow under load) is a zombie:
    /// gone, though `kill(pid, 0)` still finds it.
    func processAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        // `try?`: a process whose stat cannot be read has gone since the kill above.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return !stat[close...].dropFirst().trimmingPrefix(" ").hasPrefix("Z")
    }

    @Test("cold start on the first requests (which all wait for one start), idle stop, start again; writes land in the store's database")
    func lifecycle() async throws {
        try await withDedicatedPlatform { platform, client in
            let instances = platform.services.dedicatedInstances
            let store = try await client.makeStore("Own Instance Shop")
            _ = try await client.makeProduct(store, title: "Made before", price: 900, stock: 4)
            try await dedicate(client, store, true)
            #expect(await instances.running().isEmpty, "nothing starts before a request")

            // Eight requests at once on a cold store: every one is answered by the one instance started.
            let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?, String).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let response = try await client.call(.get, "/api/products", store: store, staff: false)
                        return (response.status, response.headers[Self.servedBy], response.text)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.count == 8)
            #expect(answers.allSatisfy { $0.0 == .ok && $0.1 == "dedicated" && $0.2.contains("Made before") }, "\(answers.map { ($0.0, $0.1) })")
            #expect(await instances.starts == 1)
            let first = try #require(await instances.running()[store.id])

            // Staff writes go through it, into the store's own database.
            let created = try await client.call(.post, "/api/products", store: store, json: ["title": "Made on the instance", "price": 1200, "stock": 2])
            #expect(created.status == .created, "\(created.text)")
            #expect(created.headers[Self.servedBy] == "dedicated")
            // /proxy/:tenantId/… on the platform host reaches the same instance.
            let proxied = try await client.execute(uri: "/proxy/\(store.id)/api/store", method: .get, headers: .host("localhost"), body: nil)
            #expect(proxied.status == .ok)
            #expect(proxied.headers[Self.servedBy] == "dedicated")
            #expect(proxied.json["id"] as? String == store.id)

            // Idle: stopped (scale to zero), its process gone.
            let stopped = await instances.stopIdle(now: .now + .seconds(3600))
            #expect(stopped == [store.id])
            #expect(await instances.running().isEmpty)
            #expect(!processAlive(first))

            // The next request starts it again.
            let again = try await client.call(.get, "/api/products?q=instance", store: store, staff: false)
            #expect(again.status == .ok)
            #expect(again.text.contains("Made on the instance"))
            #expect(await instances.starts == 2)
            let second = try #require(await instances.running()[store.id])
            #expect(second != first)

            // Back on the shared instances: the instance stops, the platform serves the store itself.
            try await dedicate(client, store, false)
            #expect(await instances.running().isEmpty)
            #expect(!processAlive(second))
            let shared = try await client.call(.get, "/api/products", store: store, staff: false)
            #expect(shared.status == .ok)
            #expect(shared.headers[Self.servedBy] == nil)
            #expect(shared.text.contains("Made on the instance"))
        }
    }

    @Test("a dedicated instance answers only requests the platform signed, for its own store; its health check is open")
    func signedHeaderRequired() async throws {
        try await withDedicatedPlatform { platform, client in
            let instances = platform.services.dedicatedInstances
            let store = try await client.makeStore("Signed Only Shop")
            let other = try await client.makeStore("Other Shared Shop")
            try await dedicate(client, store, true)
            #expect(try await client.call(.get, "/api/store", store: store).status == .ok)
            let port = try #require(await instances.port(of: store.id))
            let http = platform.services.httpClient
            let signature = platform.services.proxySignature
            func direct(_ path: String, host: String, signed: String?, forwardedHost: String? = nil) async throws -> Int {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                request.headers.replaceOrAdd(name: "Host", value: host)
                if let forwardedHost { request.headers.replaceOrAdd(name: "X-Forwarded-Host", value: forwardedHost) }
                if let signed { request.headers.replaceOrAdd(name: "X-Leopard-Proxy", value: signed) }
                let response = try await http.execute(request, timeout: .seconds(10))
                return Int(response.status.code)
            }
            #expect(try await direct("/healthz", host: "localhost", signed: nil) == 200)
            #expect(try await direct("/api/store", host: store.host, signed: nil) == 403)
            #expect(try await direct("/api/store", host: store.host, signed: "t=1,v1=00") == 403)
            // A time that would overflow the subtraction: refused, and the instance lives on.
            #expect(try await direct("/api/store", host: store.host, signed: "t=-9223372036854775808,v1=00") == 403)
            #expect(try await direct("/api/store", host: store.host, signed: "t=9223372036854775807,v1=00") == 403)
            #expect(try await direct("/healthz", host: "localhost", signed: nil) == 200)
            // Behind a gateway that routes by Host: the store's host in X-Forwarded-Host, signed.
            #expect(
                try await direct(
                    "/api/store", host: "gateway.internal", signed: signature.sign(tenantID: store.id, method: "GET", host: store.host, path: "/api/store"),
                    forwardedHost: store.host) == 200)
            #expect(
                try await direct(
                    "/api/store", host: "gateway.internal",
                    signed: signature.sign(tenantID: store.id, method: "GET", host: "gateway.internal", path: "/api/store"),
                    forwardedHost: store.host) == 403, "the signature covers the forwarded host")
            // Signed for another path, another host, another store, or long ago: refused.
            #expect(
                try await direct(
                    "/api/store", host: store.host, signed: signature.sign(tenantID: store.id, method: "GET", host: store.host, path: "/api/orders")) == 403)
            #expect(
                try await direct(
                    "/api/store", host: store.host, signed: signature.sign(tenantID: store.id, method: "GET", host: other.host, path: "/api/store")) == 403)
            #expect(
                try await direct(
                    "/api/store", host: store.host, signed: signature.sign(tenantID: other.id, method: "GET", host: store.host, path: "/api/store")) == 403)
            let old = Int(Date().timeIntervalSince1970) - 600
            #expect(
                try await direct(
                    "/api/store", host: store.host, signed: signature.sign(tenantID: store.id, method: "GET", host: store.host, path: "/api/store", time: old))
                    == 403)
            // A signature made with another platform key: refused.
            let foreign = ProxySignature(key: .init(size: .bits256))
            #expect(
                try await direct("/api/store", host: store.host, signed: foreign.sign(tenantID: store.id, method: "GET", host: store.host, path: "/api/store"))
                    == 403)
            // Correctly signed: answered. Signed for its own id but another store's host: that store is not served here.
            #expect(
                try await direct(
                    "/api/store", host: store.host, signed: signature.sign(tenantID: store.id, method: "GET", host: store.host, path: "/api/store")) == 200)
            #expect(
                try await direct(
                    "/api/store", host: other.host, signed: signature.sign(tenantID: store.id, method: "GET", host: other.host, path: "/api/store")) == 404)
            #expect(
                try await direct(
                    "/api/tenants", host: "localhost", signed: signature.sign(tenantID: store.id, method: "GET", host: "localhost", path: "/api/tenants"))
                    == 404)
        }
    }

    @Test("a dedicated instance that dies is started again by the next request; a suspended store is refused without one")
    func restartsAfterCrash() async throws {
        try await withDedicatedPlatform { platform, client in
            let instances = platform.services.dedicatedInstances
            let store = try await client.makeStore("Crashing Own Shop")
            try await dedicate(client, store, true)
            #expect(try await client.call(.get, "/api/store", store: store).status == .ok)
            let pid = try #require(await instances.running()[store.id])
            kill(pid, SIGKILL)
            let after = try await client.call(.get, "/api/store", store: store)
            #expect(after.status == .ok)
            #expect(after.headers[Self.servedBy] == "dedicated")
            #expect(await instances.starts == 2)

            #expect(await instances.stopIdle(now: .now + .seconds(3600)) == [store.id])
            let suspend = try await client.execute(uri: "/api/tenants/\(store.id)/suspend", method: .post, headers: .operatorAuth, body: nil)
            #expect(suspend.status == .ok)
            #expect(try await client.call(.get, "/api/store", store: store).status == .serviceUnavailable)
            #expect(await instances.starts == 2, "a suspended store starts no instance")
        }
    }

    @Test("PATCH /api/tenants/:id: dedicated must be a boolean; the operator token is required")
    func badInput() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Patch Input Shop")
            let auth: [HTTPField.Name: String] = [.authorization: "Bearer \(TestPlatform.operatorToken)"]
            let missing = try await client.execute(uri: "/api/tenants/\(store.id)", method: .patch, headers: .json(extra: auth), body: ByteBuffer(string: "{}"))
            #expect(missing.status == .unprocessableContent)
            #expect(missing.errorFields == ["dedicated"])
            let wrongType = try await client.execute(
                uri: "/api/tenants/\(store.id)", method: .patch, headers: .json(extra: auth), body: ByteBuffer(string: "{\"dedicated\": \"yes\"}"))
            #expect(wrongType.status.code / 100 == 4)
            let anonymous = try await client.execute(
                uri: "/api/tenants/\(store.id)", method: .patch, headers: .json(), body: ByteBuffer(string: "{\"dedicated\": true}"))
            #expect(anonymous.status == .unauthorized)
            let unknown = try await client.execute(
                uri: "/api/tenants/ten_unknown", method: .patch, headers: .json(extra: auth), body: ByteBuffer(string: "{\"dedicated\": true}"))
            #expect(unknown.status == .notFound)
        }
    }

    @Test("the upstream URL names the store by slug or id")
    func upstreamTemplate() {
        let tenant = Tenant(
            id: "ten_1", slug: "acme", storeName: "Acme", ownerEmail: "o@acme.test", status: .active,
            database: .init(kind: .sqlite, name: "x"), createdAt: Date(), updatedAt: Date(), dedicated: true)
        #expect(DedicatedInstances.upstreamURL("http://leopard-store-{slug}.dedicated.svc", tenant: tenant) == "http://leopard-store-acme.dedicated.svc")
        #expect(DedicatedInstances.upstreamURL("https://{id}.run.example", tenant: tenant) == "https://ten_1.run.example")
    }

    @Test("with --dedicated-upstream (Knative, Cloud Run) the platform starts nothing and sends the store's requests, signed, to the store's service")
    func upstream() async throws {
        let seen = SeenRequests()
        let router = Router()
        router.get("/api/store") { request, _ -> Response in
            await seen.add(request.head.authority, request.headers)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"from\":\"upstream\"}")))
        }
        let upstream = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await upstream.test(.live) { upstreamClient in
            let port = try #require(upstreamClient.port)
            try await TestPlatform.withPlatform(.sqlite, configure: { $0.dedicatedUpstream = "http://127.0.0.1:\(port)" }) { platform, client in
                let store = try await client.makeStore("Upstream Shop")
                try await dedicate(client, store, true)
                let answer = try await client.call(.get, "/api/store", store: store, staff: false)
                #expect(answer.status == .ok)
                #expect(answer.json["from"] as? String == "upstream")
                #expect(await platform.services.dedicatedInstances.starts == 0)
                let (authority, headers) = try #require(await seen.all.first)
                #expect(
                    authority == "127.0.0.1:\(port)" || headers[HTTPField.Name("Host")!] == "127.0.0.1:\(port)", "the gateway routes by the upstream's own host"
                )
                #expect(headers[HTTPField.Name("X-Forwarded-Host")!] == store.host, "the store's host travels in X-Forwarded-Host")
                let signed = headers[HTTPField.Name("X-Leopard-Proxy")!]
                #expect(platform.services.proxySignature.verify(signed, tenantID: store.id, method: "GET", host: store.host, path: "/api/store"))
            }
        }
    }
}

actor SeenRequests {
    private(set) var all: [(String?, HTTPFields)] = []
    func add(_ authority: String?, _ headers: HTTPFields) { all.append((authority, headers)) }
}
