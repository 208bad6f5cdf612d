import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LeopardCore
import Testing

@testable import LeopardOperations
@testable import LeopardServer

@Suite("Client addresses behind a proxy")
struct ClientAddressTests {
    @Test("a proxy on this machine names the client; a remote client's own X-Forwarded-For is not believed")
    func whoIsTheClient() {
        let request = Request(
            head: .init(
                method: .get, scheme: "http", authority: "x", path: "/", headerFields: [HTTPField.Name("X-Forwarded-For")!: "198.51.100.7, 203.0.113.9"]),
            body: .init(buffer: .init()))
        #expect(LeopardResponder.clientAddress(request, peer: "127.0.0.1") == "203.0.113.9")
        #expect(LeopardResponder.clientAddress(request, peer: "::1") == "203.0.113.9")
        #expect(LeopardResponder.clientAddress(request, peer: "10.0.0.5") == "10.0.0.5")
        let plain = Request(head: .init(method: .get, scheme: "http", authority: "x", path: "/"), body: .init(buffer: .init()))
        #expect(LeopardResponder.clientAddress(plain, peer: "127.0.0.1") == "127.0.0.1")
    }

    @Test("--trusted-proxies: an ingress on the cluster network names the client; chains of trusted proxies are walked from the right")
    func trustedNetworks() throws {
        let proxies = try TrustedProxies(parsing: "10.0.0.0/8, fd00::/8,192.0.2.7")
        func client(_ header: String?, peer: String) -> String? {
            var fields = HTTPFields()
            if let header { fields[HTTPField.Name("X-Forwarded-For")!] = header }
            let request = Request(head: .init(method: .get, scheme: "http", authority: "x", path: "/", headerFields: fields), body: .init(buffer: .init()))
            return LeopardResponder.clientAddress(request, peer: peer, trusting: proxies)
        }
        #expect(client("203.0.113.9", peer: "10.1.2.3") == "203.0.113.9")
        #expect(client("203.0.113.9", peer: "::ffff:10.1.2.3") == "203.0.113.9")
        #expect(client("203.0.113.9", peer: "fd12::1") == "203.0.113.9")
        #expect(client("203.0.113.9", peer: "192.0.2.7") == "203.0.113.9")
        // A client's forged entry sits left of the address the first proxy saw.
        #expect(client("198.51.100.1, 203.0.113.9, 10.0.0.9", peer: "10.1.2.3") == "203.0.113.9")
        // Peers outside the networks are the client, whatever they claim.
        #expect(client("203.0.113.9", peer: "11.0.0.1") == "11.0.0.1")
        #expect(client("203.0.113.9", peer: "192.0.2.8") == "192.0.2.8")
        #expect(client(nil, peer: "10.1.2.3") == "10.1.2.3")
        // Without the option, only this machine is trusted.
        #expect(TrustedProxies.local.client(peer: "10.1.2.3", forwardedFor: "203.0.113.9") == "10.1.2.3")
        for bad in ["10.0.0.0/33", "fd00::/129", "example.com", "10.0.0/8", "10.0.0.0/", "/8", "10.0.0.0/8/1"] {
            #expect(throws: TrustedProxies.Invalid.self, "\(bad)") { try TrustedProxies(parsing: bad) }
        }
        #expect(try TrustedProxies(parsing: "") == .local)
    }

    @Test("behind a proxy, one client's failed sign-ins do not lock the others out")
    func throttlesPerClient() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Proxy Shop")
            let attacker: [HTTPField.Name: String] = [HTTPField.Name("X-Forwarded-For")!: "203.0.113.66"]
            let owner: [HTTPField.Name: String] = [HTTPField.Name("X-Forwarded-For")!: "198.51.100.10"]
            var refused = false
            for attempt in 0..<40 {
                let response = try await client.call(
                    .post, "/api/auth/login", host: store.host, json: ["email": "guess\(attempt)@example.test", "password": "wrong password"], headers: attacker
                )
                if response.status == .tooManyRequests {
                    refused = true
                    break
                }
                #expect(response.status == .unauthorized)
            }
            #expect(refused, "the guessing client is throttled")
            let login = try await client.call(
                .post, "/api/auth/login", host: store.host, json: ["email": store.ownerEmail, "password": "correct horse battery"], headers: owner)
            #expect(login.status == .ok, "\(login.text)")
            let blocked = try await client.call(
                .post, "/api/auth/login", host: store.host, json: ["email": store.ownerEmail, "password": "correct horse battery"], headers: attacker)
            #expect(blocked.status == .tooManyRequests)
        }
    }
}
