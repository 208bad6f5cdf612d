import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardServer
import Testing

@testable import LeopardOperations

/// There is no container engine here, so the deploy files are checked against the code: the
/// variables they set are ones `leopard` reads, their ports are the server's, their health
/// probes are routes that answer, and they run `serve`.
@Suite("Deploy files match the code")
struct DeployFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    static func matches(_ pattern: String, in text: String, group: Int = 1) throws -> [String] {
        let regex = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: group), in: text).map { String(text[$0]) }
        }
    }

    /// Every `LEOPARD_…` variable the command line reads.
    static func variablesTheCodeReads() throws -> Set<String> {
        let folder = root.appendingPathComponent("Sources/leopard")
        var names: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            names.formUnion(try matches(#"environment\["(LEOPARD_[A-Z0-9_]+)"\]"#, in: text))
        }
        return names
    }

    static let files = ["deploy/Dockerfile", "deploy/kubernetes/leopard.yaml", "deploy/kubernetes/dedicated-store.knative.yaml", "deploy/Caddyfile"]

    @Test("every LEOPARD_ variable in the deploy files is one leopard reads")
    func variables() throws {
        let known = try Self.variablesTheCodeReads()
        #expect(known.contains("LEOPARD_DATABASE_URL") && known.contains("LEOPARD_PORT"), "the scan found the options: \(known.sorted())")
        for file in Self.files {
            let used = Set(try Self.matches(#"\b(LEOPARD_[A-Z0-9_]+)\b"#, in: try Self.read(file)))
            #expect(used.isSubset(of: known), "\(file) sets variables leopard does not read: \(used.subtracting(known).sorted())")
        }
        let manifest = try Self.read("deploy/kubernetes/leopard.yaml")
        let set = Set(try Self.matches(#"^\s*- name: (LEOPARD_[A-Z0-9_]+)\s*$"#, in: manifest))
        for required in ["LEOPARD_DATABASE_URL", "LEOPARD_SECRET_KEY", "LEOPARD_HOST", "LEOPARD_BASE_DOMAIN", "LEOPARD_TRUSTED_PROXIES"] {
            #expect(set.contains(required), "the stateless instances need \(required)")
        }
    }

    @Test("the image and the manifest use the server's port, listen beyond loopback, and run serve")
    func ports() throws {
        let port = String(ServerConfiguration().port)
        let dockerfile = try Self.read("deploy/Dockerfile")
        #expect(try Self.matches(#"^EXPOSE (\d+)$"#, in: dockerfile) == [port])
        #expect(try Self.matches(#"LEOPARD_PORT=(\d+)"#, in: dockerfile) == [port])
        #expect(try Self.matches(#"LEOPARD_HOST=(\S+)"#, in: dockerfile) == ["0.0.0.0"])
        #expect(try Self.matches(#"^CMD \["(\w+)"\]$"#, in: dockerfile) == ["serve"])
        #expect(try Self.matches(#"^FROM \S+ AS (\w+)$"#, in: dockerfile).count == 2, "a build stage and a runtime stage")

        let manifest = try Self.read("deploy/kubernetes/leopard.yaml")
        #expect(try Self.matches(#"containerPort: (\d+)"#, in: manifest) == [port])
        let portValue = try Self.matches(#"- name: LEOPARD_PORT\s*\n\s*value: "(\d+)""#, in: manifest)
        #expect(portValue == [port])
        #expect(try Self.matches(#"args: \["(\w+)"\]"#, in: manifest) == ["serve"])

        let knative = try Self.read("deploy/kubernetes/dedicated-store.knative.yaml")
        #expect(try Self.matches(#"containerPort: (\d+)"#, in: knative) == [port])
        #expect(try Self.matches(#"args: \["serve", "--tenant", "(ten_\w+)"\]"#, in: knative).count == 1, "a dedicated instance: serve --tenant ID")
        #expect(try Self.matches(#"autoscaling\.knative\.dev/min-scale: "(\d+)""#, in: knative) == ["0"], "scales to zero")
        #expect(
            try Self.matches(#"path: (/\S+)"#, in: knative) == ["/healthz"], "its readiness is the open health check (every other path needs the signature)")
        #expect(knative.contains("LEOPARD_DEDICATED_UPSTREAM=http://leopard-store-{slug}."), "says how the shared instances reach it")

        let caddy = try Self.read("deploy/Caddyfile")
        let upstreams = Set(try Self.matches(#"reverse_proxy 127\.0\.0\.1:(\d+)"#, in: caddy))
        #expect(upstreams == [port])
    }

    @Test("the probes and the TLS ask are routes the server answers")
    func healthPaths() async throws {
        let manifest = try Self.read("deploy/kubernetes/leopard.yaml")
        let probes = try Self.matches(#"path: (/\S+)"#, in: manifest)
        #expect(Set(probes) == ["/healthz", "/readyz"])
        let caddy = try Self.read("deploy/Caddyfile")
        let ask = try #require(try Self.matches(#"ask http://127\.0\.0\.1:\d+(/\S+)"#, in: caddy).first)
        try await TestPlatform.withPlatform { _, client in
            for path in probes {
                #expect(try await client.execute(uri: path, method: .get, headers: .host("localhost"), body: nil).status == .ok, "\(path)")
            }
            // Unknown domains get a 404 that says so; a missing parameter a 422 (the route exists).
            let missing = try await client.execute(uri: ask, method: .get, headers: .host("localhost"), body: nil)
            #expect(missing.status == .unprocessableContent)
            let unknown = try await client.execute(uri: ask + "?domain=shop.example.org", method: .get, headers: .host("localhost"), body: nil)
            #expect(unknown.status == .notFound)
            #expect(unknown.text.contains("not a verified store domain"))
        }
    }
}
