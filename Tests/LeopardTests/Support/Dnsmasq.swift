import Foundation
import LeopardServer
import NIOCore

@testable import LeopardOperations

/// Debian's dnsmasq answering on 127.0.0.1 with fixed TXT records, for custom domain checks.
/// It knows only the records it is started with (`--no-resolv`, no hosts file, no upstream).
// @unchecked: the process handle is written once in init and afterwards only stopped, which
// Foundation's Process allows from any thread.
final class Dnsmasq: @unchecked Sendable {
    static let binary: String? = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// CI sets LEOPARD_REQUIRE_DNSMASQ=1: then these tests run (and fail) rather than skip.
    static var isAvailable: Bool { binary != nil || ProcessInfo.processInfo.environment["LEOPARD_REQUIRE_DNSMASQ"] == "1" }
    static let skipReason = "custom domain DNS tests skipped: dnsmasq is not installed (Debian: apt-get install dnsmasq-base)"

    let port: Int
    private let process: Process

    struct Failed: Error, CustomStringConvertible { let description: String }

    /// Starts dnsmasq on `port` (127.0.0.1, UDP) with `records` (name → TXT values, a record each; no commas in them) and returns
    /// once it answers.
    init(port: Int, records: [String: [String]]) async throws {
        guard let binary = Self.binary else { throw Failed(description: Self.skipReason) }
        self.port = port
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var arguments = [
            "--keep-in-foreground", "--no-resolv", "--no-hosts", "--no-poll", "--conf-file=/dev/null", "--pid-file=",
            "--listen-address=127.0.0.1", "--bind-interfaces", "--port=\(port)", "--log-facility=-",
        ]
        if getuid() == 0 { arguments.append("--user=root") }
        for (name, values) in (records.merging(["ready.probe.test": ["ok"]]) { mine, _ in mine }).sorted(by: { $0.key < $1.key }) {
            // One record per value (several strings in one record would read as one joined value).
            for value in values { arguments.append("--txt-record=\(name),\(value)") }
        }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        // Ready when it answers a query (each try waits for an answer, at most a quarter second).
        let probe = DNSTXTLookup(server: try SocketAddress(ipAddress: "127.0.0.1", port: port), timeout: .milliseconds(250))
        for _ in 0..<40 {
            if (try? await probe.txt("ready.probe.test")) != nil { return }
            guard process.isRunning else { break }
        }
        stop()
        throw Failed(description: "dnsmasq did not start on port \(port)")
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
