import AsyncHTTPClient
import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// localstripe (PyPI), a stateful fake of Stripe's API written by others, on a free loopback
/// port: started from the e2e venv (`bash e2e/venv.sh` installs it) with
/// `e2e/localstripe_server.py`, which binds 127.0.0.1 only and keeps its state in a file of its own.
// @unchecked: the process handle is written once in init and afterwards only stopped, which
// Foundation's Process allows from any thread.
final class LocalStripe: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let python = root.appendingPathComponent("e2e/.venv/bin/python").path
    /// CI sets LEOPARD_REQUIRE_LOCALSTRIPE=1: then these tests run (and fail) rather than skip.
    static let isAvailable: Bool = ProcessInfo.processInfo.environment["LEOPARD_REQUIRE_LOCALSTRIPE"] == "1" || installed()
    static let skipReason = "localstripe tests skipped: localstripe is not installed in e2e/.venv (run `bash e2e/venv.sh`)"

    let base: String
    private let process: Process
    private let exited: DispatchSemaphore
    private let state: URL

    struct Failed: Error, CustomStringConvertible { let description: String }

    static func installed() -> Bool {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: python)
        check.arguments = ["-c", "import localstripe"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { return false }  // cannot start: not installed
        check.waitUntilExit()
        return check.terminationStatus == 0
    }

    /// Starts localstripe on a free port. A port handed out free can be taken by another test
    /// before Python binds it: a start whose process exits is tried again on another port.
    init() async throws {
        guard Self.installed() else { throw Failed(description: Self.skipReason) }
        state = FileManager.default.temporaryDirectory.appendingPathComponent("localstripe-\(UUID().uuidString).pickle")
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("localstripe-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }  // only read on failure, below
        var lastOutput = ""
        for _ in 0..<3 {
            let port = try await ServerProcess.freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.python)
            process.arguments = [Self.root.appendingPathComponent("e2e/localstripe_server.py").path, String(port), state.path]
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let output = try FileHandle(forWritingTo: log)
            process.standardOutput = output
            process.standardError = output
            let exited = DispatchSemaphore(value: 0)
            process.terminationHandler = { _ in exited.signal() }
            try process.run()
            if await Self.answers(base: "http://127.0.0.1:\(port)", process: process) {
                self.base = "http://127.0.0.1:\(port)"
                self.process = process
                self.exited = exited
                return
            }
            Self.end(process, exited: exited)
            lastOutput = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
        }
        throw Failed(description: "localstripe did not start: \(lastOutput.suffix(1500))")
    }

    /// Whether localstripe serves its Stripe.js stand-in within 20 seconds (Python starts slowly
    /// on a busy machine); false at once when the process has exited.
    private static func answers(base: String, process: Process) async -> Bool {
        for _ in 0..<100 {
            var request = HTTPClientRequest(url: base + "/js.stripe.com/v3/")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(1)), response.status == .ok { return true }
            guard process.isRunning else { return false }
            try? await Task.sleep(for: .milliseconds(200))  // a cancelled wait just tries sooner
        }
        return false
    }

    /// A payment method made the way Stripe.js makes one in a browser (localstripe takes the card
    /// from any caller; Stripe would not).
    func paymentMethod(card number: String) async throws -> String {
        let form = "type=card&card[number]=\(number)&card[exp_month]=12&card[exp_year]=2034&card[cvc]=123"
        var request = HTTPClientRequest(url: base + "/v1/payment_methods")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(StripeTestServer.secretKey)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        struct Method: Decodable { let id: String }
        return try JSONDecoder().decode(Method.self, from: Data(buffer: body)).id
    }

    /// What localstripe holds of an object (`/v1/payment_intents/pi_…`, `/v1/refunds`).
    func get(_ path: String) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: base + path)
        request.method = .GET
        request.headers.add(name: "Authorization", value: "Bearer \(StripeTestServer.secretKey)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
    }

    func stop() {
        Self.end(process, exited: exited)
        try? FileManager.default.removeItem(at: state)  // a temporary file; nothing depends on it
    }

    /// SIGKILL, and the child reaped: Foundation's Process can miss a child's exit, so waitpid
    /// decides (as in ServerProcess).
    private static func end(_ process: Process, exited: DispatchSemaphore) {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        kill(pid, SIGKILL)
        while exited.wait(timeout: .now() + 0.5) == .timedOut {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result == -1 && errno == ECHILD) { break }
        }
    }

    deinit { stop() }
}
