import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardServer
import Testing

@Suite("Tenant resolution")
struct TenantResolutionTests {
    @Test("a store answers on its subdomain and through X-Tenant-ID by slug or id")
    func resolves() async throws {
        try await TestPlatform.withPlatform { _, client in
            let id = try #require(try await client.signup(storeName: "Acme Tools").json["id"] as? String)
            for headers: HTTPFields in [
                .host("acme-tools.localhost:8080"), .host("ACME-TOOLS.localhost"), [LeopardResponder.tenantHeader: "acme-tools"],
                [LeopardResponder.tenantHeader: id],
            ] {
                let response = try await client.execute(uri: "/api/store", method: .get, headers: headers)
                #expect(response.status == .ok)
                #expect(response.json["id"] as? String == id)
                #expect(response.json["slug"] as? String == "acme-tools")
                #expect(response.json["currency"] as? String == "USD")
            }
        }
    }

    @Test("two stores never see each other")
    func separate() async throws {
        try await TestPlatform.withPlatform { _, client in
            let first = try #require(try await client.signup(storeName: "First Shop").json["id"] as? String)
            let second = try #require(try await client.signup(storeName: "Second Shop", email: "two@example.test").json["id"] as? String)
            #expect(try await client.execute(uri: "/api/store", method: .get, headers: .host("first-shop.localhost")).json["id"] as? String == first)
            #expect(try await client.execute(uri: "/api/store", method: .get, headers: .host("second-shop.localhost")).json["id"] as? String == second)
            // The host decides; a header naming another store does not override it.
            let mixed = try await client.execute(
                uri: "/api/store", method: .get, headers: [HTTPField.Name("Host")!: "first-shop.localhost", LeopardResponder.tenantHeader: second])
            #expect(mixed.json["id"] as? String == first)
        }
    }

    @Test(
        "unknown stores and hosts are a 404 problem",
        arguments: [
            HTTPFields.host("nobody.localhost:8080"),
            HTTPFields.host("a.b.localhost:8080"),
            HTTPFields.host("shop.example.com"),
            [LeopardResponder.tenantHeader: "nobody"],
            [LeopardResponder.tenantHeader: "ten_00000000000000000000000000"],
            [LeopardResponder.tenantHeader: "x'; DROP TABLE tenants;--"],
        ])
    func unknown(_ headers: HTTPFields) async throws {
        try await TestPlatform.withPlatform { platform, client in
            _ = try await client.signup(storeName: "Acme")
            let response = try await client.execute(uri: "/api/store", method: .get, headers: headers)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(try await platform.services.registry.count() == 1)
        }
    }

    @Test("the platform's own routes are not reachable on a store's host, nor store routes on the platform's")
    func routerSeparation() async throws {
        try await TestPlatform.withPlatform { _, client in
            _ = try await client.signup(storeName: "Acme")
            let onStore = try await client.execute(uri: "/api/tenants", method: .get, headers: .host("acme.localhost"))
            #expect(onStore.status == .notFound)
            // The operator token is no credential on a store's host.
            let withToken = try await client.execute(
                uri: "/api/tenants", method: .get, headers: [HTTPField.Name("Host")!: "acme.localhost", .authorization: "Bearer \(TestPlatform.operatorToken)"])
            #expect(withToken.status == .unauthorized)
            let onPlatform = try await client.execute(uri: "/api/store", method: .get, headers: .host("localhost:8080"))
            #expect(onPlatform.status == .notFound)
        }
    }

    @Test("health and readiness answer on every host")
    func health() async throws {
        try await TestPlatform.withPlatform { _, client in
            _ = try await client.signup(storeName: "Acme")
            for host in ["localhost:8080", "acme.localhost:8080", "nobody.localhost:8080"] {
                let live = try await client.execute(uri: "/healthz", method: .get, headers: .host(host))
                #expect(live.status == .ok)
                let ready = try await client.execute(uri: "/readyz", method: .get, headers: .host(host))
                #expect(ready.status == .ok)
                #expect(ready.json["status"] as? String == "ready")
            }
        }
    }

    @Test("the host classifier")
    func classifier() {
        let hosts = HostClassifier(baseDomain: "shops.example.com")
        #expect(hosts.classify("shops.example.com") == .platform)
        #expect(hosts.classify("shops.example.com:443") == .platform)
        #expect(hosts.classify("127.0.0.1:8080") == .platform)
        #expect(hosts.classify("[::1]:8080") == .platform)
        #expect(hosts.classify(nil) == .platform)
        #expect(hosts.classify("acme.shops.example.com") == .storeSubdomain("acme"))
        #expect(hosts.classify("a.b.shops.example.com") == .other("a.b.shops.example.com"))
        #expect(hosts.classify("www.acme.com") == .other("www.acme.com"))
    }
}
