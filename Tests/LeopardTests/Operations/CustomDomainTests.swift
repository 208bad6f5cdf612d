import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardCore
import LeopardPlatform
import NIOCore
import Testing

@testable import LeopardOperations
@testable import LeopardServer

@Suite("Custom domains")
struct CustomDomainTests {
    static let host = HTTPField.Name("Host")!

    func add(_ client: any TestClientProtocol, _ tenant: String, _ hostname: Any) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/tenants/\(tenant)/domains", method: .post, headers: .json(extra: [.authorization: "Bearer \(TestPlatform.operatorToken)"]),
            body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: ["hostname": hostname])))
    }

    @Test("Bad hostnames get 422 naming the field; another store's domain 409; operator token required")
    func badInput() async throws {
        try await TestPlatform.withPlatform(.sqlite) { platform, client in
            let store = try await client.makeStore("Domain Rules")
            let other = try await client.makeStore("Domain Rival")
            for bad in [
                "", "not a host", "1.2.3.4", "[::1]", "::1", "localhost", "shop.localhost", platform.services.configuration.baseDomain,
                "café.example.com", "-bad.example.com", "a..b.com", "com", String(repeating: "a", count: 64) + ".com",
                String(repeating: "abcdefghi.", count: 26) + "com",
            ] {
                let response = try await add(client, store.id, bad)
                #expect(response.status == .unprocessableContent, "\(bad): \(response.status)")
                #expect(((response.json["errors"] as? [[String: Any]])?.first?["field"] as? String) == "hostname", "\(bad)")
            }
            #expect(try await add(client, store.id, 42).status.code / 100 == 4)
            let created = try await add(client, store.id, "Shop.Example.TEST.")
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["hostname"] as? String == "shop.example.test")
            #expect(created.json["status"] as? String == "pending")
            let verification = try #require(created.json["verification"] as? [String: Any])
            #expect(verification["type"] as? String == "TXT")
            #expect(verification["name"] as? String == "_leopard.shop.example.test")
            #expect((verification["value"] as? String)?.hasPrefix("leopard-verify=") == true)
            // The same store again: the same record; another store: taken.
            let again = try await add(client, store.id, "shop.example.test")
            #expect(again.status == .ok)
            #expect((again.json["verification"] as? [String: Any])?["value"] as? String == verification["value"] as? String)
            #expect(try await add(client, other.id, "shop.example.test").status == .conflict)
            #expect(
                try await client.execute(
                    uri: "/api/tenants/\(store.id)/domains", method: .post, headers: .json(),
                    body: ByteBuffer(string: #"{"hostname":"x.example.test"}"#)
                ).status == .unauthorized)
            #expect(try await add(client, "ten_01aaaaaaaaaaaaaaaaaaaaaaaa", "y.example.test").status == .notFound)
            let listed = try await client.execute(uri: "/api/tenants/\(store.id)/domains", method: .get, headers: .operatorAuth)
            #expect((listed.json["data"] as? [[String: Any]])?.count == 1)
            // Only the holder can remove or verify it.
            #expect(
                try await client.execute(uri: "/api/tenants/\(other.id)/domains/shop.example.test", method: .delete, headers: .operatorAuth).status == .notFound
            )
            #expect(try await client.execute(uri: "/internal/tls/ask", method: .get, headers: [:]).status == .unprocessableContent)
            #expect(try await client.execute(uri: "/internal/tls/ask?domain=shop.example.test", method: .get, headers: [:]).status == .notFound)
        }
    }

    @Test(
        "TXT check through dnsmasq: pending until the record holds the value; then the domain serves the store, the ask endpoint says yes; removal and purge undo it",
        .enabled(if: Dnsmasq.isAvailable, Comment(rawValue: Dnsmasq.skipReason)))
    func verifiedDomainServesStore() async throws {
        let port = try FreePort.udp()
        try await TestPlatform.withPlatform(.sqlite, configure: { $0.dnsServer = "127.0.0.1:\(port)" }) { platform, client in
            let store = try await client.makeStore("Custom Host")
            let created = try await add(client, store.id, "shop.example.test")
            let value = try #require((created.json["verification"] as? [String: Any])?["value"] as? String)
            let verify = "/api/tenants/\(store.id)/domains/shop.example.test/verify"

            // A wrong value first.
            let wrong = try await Dnsmasq(port: port, records: ["_leopard.shop.example.test": ["leopard-verify=someone-else"]])
            let refused = try await client.execute(uri: verify, method: .post, headers: .operatorAuth)
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(refused.text.contains("someone-else"))
            #expect(refused.text.contains(value))
            wrong.stop()
            let listed = try await client.execute(uri: "/api/tenants/\(store.id)/domains", method: .get, headers: .operatorAuth)
            let pending = try #require((listed.json["data"] as? [[String: Any]])?.first)
            #expect(pending["status"] as? String == "pending")
            #expect((pending["lastError"] as? String)?.contains("someone-else") == true)
            #expect(try await client.execute(uri: "/api/store", method: .get, headers: [Self.host: "shop.example.test"]).status == .notFound)
            #expect(try await client.execute(uri: "/internal/tls/ask?domain=shop.example.test", method: .get, headers: [:]).status == .notFound)

            // The right value among others.
            let dns = try await Dnsmasq(port: port, records: ["_leopard.shop.example.test": ["v=spf1 -all", value]])
            defer { dns.stop() }
            let verified = try await client.execute(uri: verify, method: .post, headers: .operatorAuth)
            #expect(verified.status == .ok, "\(verified.text)")
            #expect(verified.json["status"] as? String == "verified")
            #expect(verified.json["verifiedAt"] as? String != nil)

            let info = try await client.execute(uri: "/api/store", method: .get, headers: [Self.host: "shop.example.test"])
            #expect(info.status == .ok)
            #expect(info.json["id"] as? String == store.id)
            let page = try await client.execute(uri: "/", method: .get, headers: [Self.host: "SHOP.example.test:443"])
            #expect(page.status == .ok)
            #expect(page.text.contains("Custom Host"))
            #expect(try await client.execute(uri: "/api/store", method: .get, headers: [Self.host: store.host]).status == .ok)
            #expect(try await client.execute(uri: "/internal/tls/ask?domain=shop.example.test", method: .get, headers: [:]).status == .ok)
            #expect(try await client.execute(uri: "/internal/tls/ask?domain=other.example.test", method: .get, headers: [:]).status == .notFound)
            #expect(try await client.execute(uri: "/internal/tls/ask?domain=\(store.slug).localhost", method: .get, headers: [:]).status == .notFound)
            // A store's staff token does not work on another store's custom domain.
            let rival = try await client.makeStore("Custom Rival")
            let crossed = try await client.execute(
                uri: "/api/orders", method: .get, headers: [Self.host: "shop.example.test", .authorization: "Bearer \(rival.token)"])
            #expect(crossed.status == .unauthorized)

            // Suspended: 503 on the custom domain too, at once.
            #expect(try await client.execute(uri: "/api/tenants/\(store.id)/suspend", method: .post, headers: .operatorAuth).status == .ok)
            #expect(try await client.execute(uri: "/api/store", method: .get, headers: [Self.host: "shop.example.test"]).status == .serviceUnavailable)
            #expect(try await client.execute(uri: "/api/tenants/\(store.id)/activate", method: .post, headers: .operatorAuth).status == .ok)

            // Removed: no longer served, no certificate.
            #expect(
                try await client.execute(uri: "/api/tenants/\(store.id)/domains/shop.example.test", method: .delete, headers: .operatorAuth).status
                    == .noContent)
            #expect(try await client.execute(uri: "/api/store", method: .get, headers: [Self.host: "shop.example.test"]).status == .notFound)
            #expect(try await client.execute(uri: "/internal/tls/ask?domain=shop.example.test", method: .get, headers: [:]).status == .notFound)

            // Purge takes the store's domains with it: the name is free for another store.
            // Added again, it is a new claim with a new value: the old record no longer proves it.
            let readded = try await add(client, store.id, "shop.example.test")
            let newValue = try #require((readded.json["verification"] as? [String: Any])?["value"] as? String)
            #expect(newValue != value)
            #expect(try await client.execute(uri: verify, method: .post, headers: .operatorAuth).status == .unprocessableContent)
            dns.stop()
            let updated = try await Dnsmasq(port: port, records: ["_leopard.shop.example.test": [newValue]])
            defer { updated.stop() }
            #expect(try await client.execute(uri: verify, method: .post, headers: .operatorAuth).status == .ok)
            #expect(try await client.execute(uri: "/api/tenants/\(store.id)", method: .delete, headers: .operatorAuth).status == .ok)
            #expect(try await client.execute(uri: "/api/store", method: .get, headers: [Self.host: "shop.example.test"]).status == .notFound)
            #expect(try await client.execute(uri: "/internal/tls/ask?domain=shop.example.test", method: .get, headers: [:]).status == .notFound)
            #expect(try await client.execute(uri: "/api/tenants/\(store.id)?purge=true", method: .delete, headers: .operatorAuth).status == .noContent)
            #expect(try await add(client, rival.id, "shop.example.test").status == .created)
        }
    }

    @Test("A DNS server that does not answer gives 503 with Retry-After, and the domain stays pending")
    func dnsDown() async throws {
        let port = try FreePort.udp()
        try await TestPlatform.withPlatform(.sqlite, configure: { $0.dnsServer = "127.0.0.1:\(port)" }) { platform, client in
            let store = try await client.makeStore("Quiet DNS")
            #expect(try await add(client, store.id, "quiet.example.test").status == .created)
            let response = try await client.execute(uri: "/api/tenants/\(store.id)/domains/quiet.example.test/verify", method: .post, headers: .operatorAuth)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] != nil)
            let domain = try await DomainRegistry(database: platform.services.platformDatabase).find(hostname: "quiet.example.test")
            #expect(domain?.status == .pending)
            #expect(domain?.lastError?.contains("DNS") == true)
        }
    }

    @Test("DNS answers: TXT strings joined per record, NXDOMAIN is no records, other ids and truncation refused")
    func dnsMessages() throws {
        let query = DNSMessage.txtQuery(name: "_leopard.shop.example.test", id: 0x1234)
        #expect(Array(query.prefix(4)) == [0x12, 0x34, 0x01, 0x00])
        // The answer: header, the question echoed, one TXT record of two strings via a name pointer.
        var answer: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]
        answer += Array(query[12...])
        answer += [0xC0, 0x0C, 0, 16, 0, 1, 0, 0, 0, 60, 0, 8, 3] + Array("abc".utf8) + [3] + Array("def".utf8)
        #expect(try DNSMessage.parseTXTAnswer(answer, id: 0x1234) == .records(["abcdef"]))
        #expect(throws: DNSMessage.Malformed.self) { try DNSMessage.parseTXTAnswer(answer, id: 0x9999) }
        var nxdomain = answer
        nxdomain[3] = 0x83
        #expect(try DNSMessage.parseTXTAnswer(nxdomain, id: 0x1234) == .noSuchName)
        var truncated = answer
        truncated[2] = 0x83
        #expect(throws: DNSMessage.Malformed.self) { try DNSMessage.parseTXTAnswer(truncated, id: 0x1234) }
        #expect(throws: DNSMessage.Malformed.self) { try DNSMessage.parseTXTAnswer(Array(answer.dropLast(2)), id: 0x1234) }
        #expect(throws: DNSMessage.Malformed.self) { try DNSMessage.parseTXTAnswer([0x12], id: 0x1234) }
    }

    @Test("DNS server addresses: IPv4, IPv6, ports, resolv.conf")
    func dnsServers() throws {
        #expect(try DNSTXTLookup.make(server: "127.0.0.1:5353").server.port == 5353)
        #expect(try DNSTXTLookup.make(server: "10.0.0.2").server.port == 53)
        #expect(try DNSTXTLookup.make(server: "[::1]:53").server.protocol == .inet6)
        #expect(throws: DNSTXTLookup.Failed.self) { try DNSTXTLookup.make(server: "dns.example.com") }
        #expect(throws: DNSTXTLookup.Failed.self) { try DNSTXTLookup.make(server: "127.0.0.1:0") }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let conf = directory.url.appendingPathComponent("resolv.conf").path
        try "# comment\nsearch example.test\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n".write(toFile: conf, atomically: true, encoding: .utf8)
        #expect(try DNSTXTLookup.make(server: nil, resolvConf: conf).server.ipAddress == "192.0.2.53")
    }
}
