import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import LeopardServer
import Testing

@Suite("Client addresses behind a proxy")
struct ClientAddressTests {
    @Test("a proxy on this machine names the client; a remote client's own X-Forwarded-For is not believed")
    func whoIsTheClient() {
        let request = Request(head: .init(method: .get, scheme: "http", authority: "x", path: "/", headerFields: [HTTPField.Name("X-Forwarded-For")!: "198.51.100.7, 203.0.113.9"]),
                              body: .init(buffer: .init()))
        #expect(LeopardResponder.clientAddress(request, peer: "127.0.0.1") == "203.0.113.9")
        #expect(LeopardResponder.clientAddress(request, peer: "::1") == "203.0.113.9")
        #expect(LeopardResponder.clientAddress(request, peer: "10.0.0.5") == "10.0.0.5")
        let plain = Request(head: .init(method: .get, scheme: "http", authority: "x", path: "/"), body: .init(buffer: .init()))
        #expect(LeopardResponder.clientAddress(plain, peer: "127.0.0.1") == "127.0.0.1")
    }

    @Test("behind a proxy, one client's failed sign-ins do not lock the others out")
    func throttlesPerClient() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Proxy Shop")
            let attacker: [HTTPField.Name: String] = [HTTPField.Name("X-Forwarded-For")!: "203.0.113.66"]
            let owner: [HTTPField.Name: String] = [HTTPField.Name("X-Forwarded-For")!: "198.51.100.10"]
            var refused = false
            for attempt in 0..<40 {
                let response = try await client.call(.post, "/api/auth/login", host: store.host, json: ["email": "guess\(attempt)@example.test", "password": "wrong password"], headers: attacker)
                if response.status == .tooManyRequests { refused = true; break }
                #expect(response.status == .unauthorized)
            }
            #expect(refused, "the guessing client is throttled")
            let login = try await client.call(.post, "/api/auth/login", host: store.host, json: ["email": store.ownerEmail, "password": "correct horse battery"], headers: owner)
            #expect(login.status == .ok, "\(login.text)")
            let blocked = try await client.call(.post, "/api/auth/login", host: store.host, json: ["email": store.ownerEmail, "password": "correct horse battery"], headers: attacker)
            #expect(blocked.status == .tooManyRequests)
        }
    }
}
