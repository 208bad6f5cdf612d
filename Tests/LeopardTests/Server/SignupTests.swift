import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardCommerce
import LeopardPlatform
import LeopardServer
import LeopardStorage
import NIOCore
import SQLKit
import Testing

@testable import LeopardOperations

@Suite("Signup: POST /api/tenants")
struct SignupTests {
    @Test("a signup creates an active store with its own database and an owner")
    func signupCreatesStore() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let response = try await client.signup(storeName: "Acme Tools", email: "Owner@Acme.Test")
            #expect(response.status == .created)
            let json = response.json
            #expect(json["slug"] as? String == "acme-tools")
            #expect(json["storeName"] as? String == "Acme Tools")
            #expect(json["ownerEmail"] as? String == "owner@acme.test")
            #expect(json["status"] as? String == "active")
            #expect(json["setupToken"] == nil)
            let id = try #require(json["id"] as? String)
            #expect(id.hasPrefix("ten_"))
            let urls = try #require(json["urls"] as? [String: Any])
            #expect(urls["storefront"] as? String == "http://acme-tools.localhost:8080/")
            #expect(urls["admin"] as? String == "http://acme-tools.localhost:8080/admin")
            #expect(urls["api"] as? String == "http://acme-tools.localhost:8080/api")
            #expect(try platform.storeFiles() == ["\(id).sqlite"])

            // The owner lives in the store's own database, with a bcrypt hash of the password.
            let tenant = try #require(try await platform.services.registry.find(id: id))
            let hash = try await platform.services.databases.withDatabase(tenantID: id, location: tenant.database) { db in
                try await db.read { sql in
                    try await sql.raw("SELECT password_hash, role FROM staff_members WHERE email = 'owner@acme.test'").first()?.decode(
                        column: "password_hash", as: String.self)
                }
            }
            let stored = try #require(hash)
            #expect(stored.hasPrefix("$2"))
            #expect(try await platform.services.passwordHasher.verify("correct horse battery", hash: stored))

            let store = try await client.execute(uri: "/api/store", method: .get, headers: .host("acme-tools.localhost:8080"))
            #expect(store.status == .ok)
            #expect(store.json["name"] as? String == "Acme Tools")
            #expect(store.json["id"] as? String == id)
        }
    }

    @Test("without a password the owner gets a one-time setup token, stored only as a digest")
    func setupToken() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let response = try await client.signup(storeName: "Token Shop", password: nil)
            #expect(response.status == .created)
            let token = try #require(response.json["setupToken"] as? String)
            #expect(token.count >= 40)
            let tenant = try #require(try await platform.services.registry.find(slug: "token-shop"))
            let row = try await platform.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { db in
                try await db.read { sql in
                    try await sql.raw("SELECT password_hash, setup_token_sha256 FROM staff_members").first().map {
                        [try $0.decode(column: "password_hash", as: String?.self) ?? "", try $0.decode(column: "setup_token_sha256", as: String.self)]
                    }
                }
            }
            let values = try #require(row)
            #expect(values[0].isEmpty)
            #expect(values[1].count == 64)
            #expect(values[1] != token)
        }
    }

    @Test("an explicit slug is used; a taken slug is a 409 that names the field")
    func takenSlug() async throws {
        try await TestPlatform.withPlatform { platform, client in
            #expect(try await client.signup(storeName: "First", slug: "shared-name").status == .created)
            let second = try await client.signup(storeName: "Second", email: "other@example.test", slug: "shared-name")
            #expect(second.status == .conflict)
            #expect(second.headers[.contentType] == "application/problem+json")
            #expect(second.errorFields == ["slug"])
            #expect(try await platform.services.registry.count() == 1)
            #expect(try platform.storeFiles().count == 1)
        }
    }

    @Test(
        "invalid fields are a 422 naming each field, and nothing is written",
        arguments: [
            (#"{"storeName":"Acme","ownerEmail":"not-an-email","ownerPassword":"correct horse"}"#, ["ownerEmail"]),
            (#"{"storeName":"","ownerEmail":"a@b.test"}"#, ["storeName"]),
            (#"{"ownerEmail":"a@b.test"}"#, ["storeName"]),
            (#"{"storeName":"Acme"}"#, ["ownerEmail"]),
            (#"{"storeName":42,"ownerEmail":"a@b.test"}"#, ["storeName"]),
            (#"{"storeName":"Acme","ownerEmail":"a@b.test","ownerPassword":"short"}"#, ["ownerPassword"]),
            (#"{"storeName":"Acme","ownerEmail":"a@b.test","ownerPassword":"\u0000secret-after-nul"}"#, ["ownerPassword"]),
            (#"{"storeName":"Acme","ownerEmail":"a@b.test","slug":"café"}"#, ["slug"]),
            (#"{"storeName":"Acme","ownerEmail":"a@b.test","slug":"a/b/c"}"#, ["slug"]),
            (#"{"storeName":"Acme","ownerEmail":"a@b.test","slug":"acme.evil"}"#, ["slug"]),
            (#"{"storeName":"Acme","ownerEmail":"a@b.test","slug":"x'); DROP TABLE tenants;--"}"#, ["slug"]),
            (#"{"storeName":"Acme","ownerEmail":"a@b.test","slug":"admin"}"#, ["slug"]),
            (#"{"storeName":"日本","ownerEmail":"a@b.test"}"#, ["slug"]),
            (#"{"storeName":"","ownerEmail":"nope","ownerPassword":"x"}"#, ["storeName", "ownerEmail", "ownerPassword"]),
        ])
    func invalidFields(_ body: String, _ fields: [String]) async throws {
        try await TestPlatform.withPlatform { platform, client in
            let response = try await client.post("/api/tenants", json: body)
            #expect(response.status == .unprocessableContent)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.errorFields == fields)
            #expect(try await platform.services.registry.count() == 0)
            #expect(try platform.storeFiles().isEmpty)
        }
    }

    @Test("malformed JSON, a wrong content type and an oversized body are refused")
    func badBodies() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let malformed = try await client.post("/api/tenants", json: #"{"storeName": "#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.json["detail"] as? String == "The request body is not valid JSON.")

            let empty = try await client.post("/api/tenants", json: "")
            #expect(empty.status == .badRequest)

            let form = try await client.post("/api/tenants", json: "storeName=x", headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(form.status == .unsupportedMediaType)

            let huge = #"{"storeName":""# + String(repeating: "a", count: (1 << 20) + 10) + #"","ownerEmail":"a@b.test"}"#
            let tooLarge = try await client.post("/api/tenants", json: huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.headers[.contentType] == "application/problem+json")

            #expect(try await platform.services.registry.count() == 0)
        }
    }

    @Test("signups over the per-address limit get a 429 with Retry-After")
    func rateLimited() async throws {
        try await TestPlatform.withPlatform(configure: { $0.signupRateLimit = 2 }) { platform, client in
            #expect(try await client.signup(storeName: "One Shop").status == .created)
            #expect(try await client.signup(storeName: "Two Shop").status == .created)
            let third = try await client.signup(storeName: "Three Shop")
            #expect(third.status == .tooManyRequests)
            let retryAfter = try #require(third.headers[HTTPField.Name("Retry-After")!].flatMap(Int.init))
            #expect((1...60).contains(retryAfter))
            #expect(try await platform.services.registry.count() == 2)
        }
    }

    @Test("100 concurrent signups all succeed, each with a database of its own")
    func concurrentSignups() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for index in 0..<100 {
                    group.addTask {
                        let response = try await client.signup(storeName: "Crowd Shop \(index)", email: "owner\(index)@crowd.test", password: nil)
                        return (response.status, response.json["id"] as? String)
                    }
                }
                var results: [(HTTPResponse.Status, String?)] = []
                for try await result in group { results.append(result) }
                return results
            }
            #expect(statuses.allSatisfy { $0.0 == .created })
            let ids = Set(statuses.compactMap(\.1))
            #expect(ids.count == 100)
            #expect(Set(try platform.storeFiles()) == Set(ids.map { "\($0).sqlite" }))
            #expect(try await platform.services.registry.count(status: .active) == 100)
        }
    }
}
