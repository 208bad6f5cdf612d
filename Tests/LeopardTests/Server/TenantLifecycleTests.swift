import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardPlatform
import LeopardServer
import NIOCore
import Testing

@testable import LeopardOperations

@Suite("Operator API: tenants")
struct TenantLifecycleTests {
    static let store = HTTPFields.host("acme.localhost:8080")

    @Test("operator endpoints need the operator token")
    func needsToken() async throws {
        try await TestPlatform.withPlatform { _, client in
            let id = try #require(try await client.signup(storeName: "Acme", slug: "acme").json["id"] as? String)
            let checks: [(String, HTTPRequest.Method)] = [
                ("/api/tenants", .get), ("/api/tenants/\(id)", .get), ("/api/tenants/\(id)", .delete),
                ("/api/tenants/\(id)/suspend", .post), ("/api/tenants/\(id)/activate", .post), ("/api/tenants/\(id)/restore", .post),
            ]
            for (uri, method) in checks {
                let missing = try await client.execute(uri: uri, method: method)
                #expect(missing.status == .unauthorized, "\(method) \(uri)")
                #expect(missing.headers[.contentType] == "application/problem+json")
                let wrong = try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer nope"])
                #expect(wrong.status == .unauthorized, "\(method) \(uri)")
            }
            // Nothing changed.
            #expect(try await client.execute(uri: "/api/store", method: .get, headers: Self.store).status == .ok)
        }
    }

    @Test("get and list tenants, paginated and filtered by status")
    func listAndGet() async throws {
        try await TestPlatform.withPlatform { _, client in
            var ids: [String] = []
            for index in 0..<5 {
                ids.append(try #require(try await client.signup(storeName: "Shop \(index)", slug: "shop-\(index)").json["id"] as? String))
            }
            let one = try await client.execute(uri: "/api/tenants/\(ids[0])", method: .get, headers: .operatorAuth)
            #expect(one.status == .ok)
            #expect(one.json["slug"] as? String == "shop-0")
            let bySlug = try await client.execute(uri: "/api/tenants/shop-1", method: .get, headers: .operatorAuth)
            #expect(bySlug.json["id"] as? String == ids[1])

            var seen: [String] = []
            var uri = "/api/tenants?limit=2"
            // At most ten pages: a cursor that never ends fails the comparison below instead of looping.
            for _ in 0..<10 {
                let page = try await client.execute(uri: uri, method: .get, headers: .operatorAuth)
                #expect(page.status == .ok)
                let data = try #require(page.json["data"] as? [[String: Any]])
                #expect(data.count <= 2)
                seen += data.compactMap { $0["id"] as? String }
                guard let cursor = page.json["next_cursor"] as? String else { break }
                uri = "/api/tenants?limit=2&cursor=\(cursor)"
            }
            #expect(seen == ids)

            _ = try await client.execute(uri: "/api/tenants/\(ids[2])/suspend", method: .post, headers: .operatorAuth)
            let suspended = try await client.execute(uri: "/api/tenants?status=suspended", method: .get, headers: .operatorAuth)
            #expect((suspended.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ids[2]])

            #expect(try await client.execute(uri: "/api/tenants?limit=101", method: .get, headers: .operatorAuth).errorFields == ["limit"])
            #expect(try await client.execute(uri: "/api/tenants?status=sleeping", method: .get, headers: .operatorAuth).errorFields == ["status"])
            #expect(try await client.execute(uri: "/api/tenants?cursor=zzz", method: .get, headers: .operatorAuth).errorFields == ["cursor"])
            // A well-formed cursor around a NUL byte (PostgreSQL would refuse the text).
            #expect(try await client.execute(uri: "/api/tenants?cursor=djE6AA", method: .get, headers: .operatorAuth).errorFields == ["cursor"])
        }
    }

    @Test(
        "unknown tenant ids are a 404", arguments: ["ten_00000000000000000000000000", "no-such-store", "../../etc/passwd", String(repeating: "x", count: 500)])
    func unknownTenant(_ id: String) async throws {
        try await TestPlatform.withPlatform { _, client in
            let escaped = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? id
            for (suffix, method) in [("", HTTPRequest.Method.get), ("", .delete), ("/suspend", .post), ("/activate", .post), ("/restore", .post)] {
                let response = try await client.execute(uri: "/api/tenants/\(escaped)\(suffix)", method: method, headers: .operatorAuth)
                #expect(response.status == .notFound, "\(method) \(suffix)")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test("suspend answers 503 on the store; activate brings it back")
    func suspendAndActivate() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let id = try #require(try await client.signup(storeName: "Acme", slug: "acme").json["id"] as? String)
            let suspended = try await client.execute(uri: "/api/tenants/\(id)/suspend", method: .post, headers: .operatorAuth)
            #expect(suspended.status == .ok)
            #expect(suspended.json["status"] as? String == "suspended")
            let refused = try await client.execute(uri: "/api/store", method: .get, headers: Self.store)
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.contentType] == "application/problem+json")
            #expect(try await client.execute(uri: "/api/store", method: .get, headers: [LeopardResponder.tenantHeader: "acme"]).status == .serviceUnavailable)
            #expect(await platform.services.databases.isOpen(tenantID: id) == false)

            // Suspending twice is harmless; restoring a suspended store is a conflict.
            #expect(try await client.execute(uri: "/api/tenants/\(id)/suspend", method: .post, headers: .operatorAuth).status == .ok)
            #expect(try await client.execute(uri: "/api/tenants/\(id)/restore", method: .post, headers: .operatorAuth).status == .conflict)

            let active = try await client.execute(uri: "/api/tenants/\(id)/activate", method: .post, headers: .operatorAuth)
            #expect(active.json["status"] as? String == "active")
            #expect(try await client.execute(uri: "/api/store", method: .get, headers: Self.store).status == .ok)
        }
    }

    @Test("soft delete hides the store and keeps its data; restore brings it back")
    func softDeleteAndRestore() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let id = try #require(try await client.signup(storeName: "Acme", slug: "acme").json["id"] as? String)
            let deleted = try await client.execute(uri: "/api/tenants/\(id)", method: .delete, headers: .operatorAuth)
            #expect(deleted.status == .ok)
            #expect(deleted.json["status"] as? String == "deleted")
            #expect(deleted.json["deletedAt"] is String)
            #expect(try await client.execute(uri: "/api/store", method: .get, headers: Self.store).status == .notFound)
            #expect(try platform.storeFiles() == ["\(id).sqlite"])
            // The slug stays taken while the store can be restored.
            #expect(try await client.signup(storeName: "Acme", slug: "acme").status == .conflict)
            // A deleted store cannot be suspended or activated.
            #expect(try await client.execute(uri: "/api/tenants/\(id)/activate", method: .post, headers: .operatorAuth).status == .conflict)
            #expect(try await client.execute(uri: "/api/tenants/\(id)/suspend", method: .post, headers: .operatorAuth).status == .conflict)

            let restored = try await client.execute(uri: "/api/tenants/\(id)/restore", method: .post, headers: .operatorAuth)
            #expect(restored.status == .ok)
            #expect(restored.json["status"] as? String == "active")
            #expect(restored.json["deletedAt"] == nil || restored.json["deletedAt"] is NSNull)
            let store = try await client.execute(uri: "/api/store", method: .get, headers: Self.store)
            #expect(store.json["name"] as? String == "Acme")
        }
    }

    @Test("purge only removes a soft-deleted store, and then for good")
    func purge() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let id = try #require(try await client.signup(storeName: "Acme", slug: "acme").json["id"] as? String)
            _ = try await client.execute(uri: "/api/store", method: .get, headers: Self.store)
            let early = try await client.execute(uri: "/api/tenants/\(id)?purge=true", method: .delete, headers: .operatorAuth)
            #expect(early.status == .conflict)
            #expect(try await client.execute(uri: "/api/tenants/\(id)?purge=maybe", method: .delete, headers: .operatorAuth).errorFields == ["purge"])
            #expect(try platform.storeFiles() == ["\(id).sqlite"])

            #expect(try await client.execute(uri: "/api/tenants/\(id)", method: .delete, headers: .operatorAuth).status == .ok)
            let purged = try await client.execute(uri: "/api/tenants/\(id)?purge=true", method: .delete, headers: .operatorAuth)
            #expect(purged.status == .noContent)
            #expect(try platform.storeFiles().isEmpty)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: platform.tenantsDirectory.path).filter { $0.hasPrefix(id) }
            #expect(leftovers.isEmpty)
            #expect(try await client.execute(uri: "/api/tenants/\(id)", method: .get, headers: .operatorAuth).status == .notFound)
            #expect(try await client.execute(uri: "/api/store", method: .get, headers: Self.store).status == .notFound)
            // The address is free again, for a new store with a new database.
            let again = try await client.signup(storeName: "Acme", slug: "acme")
            #expect(again.status == .created)
            #expect(again.json["id"] as? String != id)
        }
    }
}
