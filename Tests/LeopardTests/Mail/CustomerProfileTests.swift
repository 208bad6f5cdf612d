import Foundation
import Testing

/// What a signed-in customer changes about themselves, and the app's way of verifying: the
/// token alone, as the contract's `POST /api/customers/verify {token}` states it.
@Suite("Customer profile: names, password, addresses, token-only verification")
struct CustomerProfileTests {
    @Test("an app verifies with the token alone; the registration's password then signs in", arguments: TestPlatform.storages)
    func tokenOnlyVerification(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("App Verify Shop")
            let registered = try await client.call(
                .post, "/api/customers/register", store: store, staff: false, json: ["email": "app@example.test", "password": "app password 1"])
            #expect(registered.status == .accepted)
            let token = try await platform.mailedToken(to: "app@example.test", store: store, path: "/account/verify")
            let verified = try await client.call(.post, "/api/customers/verify", host: store.host, json: ["token": token])
            #expect(verified.status == .ok, "\(verified.text)")
            let session = try #require(verified.json["token"] as? String)
            let me = try await client.call(.get, "/api/customers/me", host: store.host, token: session)
            #expect(me.json["email"] as? String == "app@example.test")
            #expect(me.json["verified"] as? Bool == true)
            let again = try await client.call(.post, "/api/customers/verify", host: store.host, json: ["token": token])
            #expect(again.status == .unauthorized, "a link works once")
            let login = try await client.call(
                .post, "/api/customers/login", store: store, staff: false, json: ["email": "app@example.test", "password": "app password 1"])
            #expect(login.status == .ok)
            let missing = try await client.call(.post, "/api/customers/verify", host: store.host, json: ["password": "app password 1"])
            #expect(missing.status == .badRequest || missing.status == .unprocessableContent)
        }
    }

    @Test("names change and clear; control characters and long names are refused and change nothing")
    func names() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Profile Shop")
            let token = try await platform.registerCustomer(client, store: store, email: "eve@example.test", firstName: "Eve")
            let changed = try await client.call(.patch, "/api/customers/me", host: store.host, token: token, json: ["lastName": "  Adams "])
            #expect(changed.status == .ok)
            #expect(changed.json["firstName"] as? String == "Eve")
            #expect(changed.json["lastName"] as? String == "Adams")
            for body in [["firstName": "Eve\u{0}"], ["firstName": "Eve\u{7}"], ["lastName": String(repeating: "x", count: 101)]] {
                let bad = try await client.call(.patch, "/api/customers/me", host: store.host, token: token, json: body)
                #expect(bad.status == .unprocessableContent, "\(body)")
                let fields = (bad.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
                #expect(fields == Array(body.keys), "\(bad.text)")
            }
            let cleared = try await client.call(.patch, "/api/customers/me", host: store.host, token: token, json: ["firstName": ""])
            #expect(cleared.json["firstName"] == nil || cleared.json["firstName"] is NSNull)
            #expect(cleared.json["lastName"] as? String == "Adams", "a refused change changed nothing")
        }
    }

    @Test("a password change needs the current one and ends every other session")
    func passwordChange() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Password Shop")
            let first = try await platform.registerCustomer(client, store: store, email: "fay@example.test")
            let login = try await client.call(
                .post, "/api/customers/login", store: store, staff: false, json: ["email": "fay@example.test", "password": "long enough pass"])
            let second = try #require(login.json["token"] as? String)
            let wrong = try await client.call(
                .post, "/api/customers/me/password", host: store.host, token: second,
                json: ["currentPassword": "not the password", "newPassword": "a new password"])
            #expect(wrong.status == .forbidden)
            #expect(try await client.call(.get, "/api/customers/me", host: store.host, token: first).status == .ok, "a refused change ends nothing")
            let weak = try await client.call(
                .post, "/api/customers/me/password", host: store.host, token: second,
                json: ["currentPassword": "long enough pass", "newPassword": "short"])
            #expect(weak.status == .unprocessableContent)
            let done = try await client.call(
                .post, "/api/customers/me/password", host: store.host, token: second,
                json: ["currentPassword": "long enough pass", "newPassword": "a new password"])
            #expect(done.status == .noContent)
            #expect(try await client.call(.get, "/api/customers/me", host: store.host, token: first).status == .unauthorized)
            #expect(try await client.call(.get, "/api/customers/me", host: store.host, token: second).status == .ok)
            let old = try await client.call(
                .post, "/api/customers/login", store: store, staff: false, json: ["email": "fay@example.test", "password": "long enough pass"])
            #expect(old.status == .unauthorized)
        }
    }

    @Test("a customer removes their own address; another customer's is not found and stays")
    func addresses() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Address Shop")
            let gus = try await platform.registerCustomer(client, store: store, email: "gus@example.test")
            let hal = try await platform.registerCustomer(client, store: store, email: "hal@example.test")
            let address: [String: Any] = ["name": "Gus", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"]
            let saved = try await client.call(.post, "/api/customers/me/addresses", host: store.host, token: gus, json: ["address": address])
            #expect(saved.status == .created)
            let id = try #require(saved.json["id"] as? String)
            let foreign = try await client.call(.delete, "/api/customers/me/addresses/\(id)", host: store.host, token: hal)
            #expect(foreign.status == .notFound)
            let listed = try await client.call(.get, "/api/customers/me/addresses", host: store.host, token: gus)
            #expect((listed.json["data"] as? [[String: Any]])?.count == 1)
            let removed = try await client.call(.delete, "/api/customers/me/addresses/\(id)", host: store.host, token: gus)
            #expect(removed.status == .noContent)
            let after = try await client.call(.get, "/api/customers/me/addresses", host: store.host, token: gus)
            #expect((after.json["data"] as? [[String: Any]])?.isEmpty == true)
            #expect(try await client.call(.delete, "/api/customers/me/addresses/\(id)", host: store.host, token: gus).status == .notFound)
        }
    }
}
