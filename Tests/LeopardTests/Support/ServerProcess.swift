import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// `leopard serve` as a child process, for tests that need a real process: killed with SIGKILL,
/// started again on the same data. Readiness is the line the server prints once it listens.
final class ServerProcess: Sendable {
    let process: Process
    let port: Int
    /// Signalled when the process ends.
    let exited: DispatchSemaphore

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// The `leopard` executable built beside the test bundle, if any.
    static var executable: URL? {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("leopard")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// A port that was free a moment ago on 127.0.0.1.
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    private init(process: Process, port: Int, exited: DispatchSemaphore) {
        self.process = process
        self.port = port
        self.exited = exited
    }

    /// Starts `leopard serve` on a free port and returns once it says it is running. A port
    /// taken in the moment between finding it free and the server binding it (tests run in
    /// parallel) means another try on another port.
    static func start(dataDirectory: URL, databaseURL: String?, environment: [String: String]) async throws -> ServerProcess {
        var lastError: (any Error)?
        for _ in 0..<3 {
            do {
                return try await start(dataDirectory: dataDirectory, port: try await freePort(), databaseURL: databaseURL, environment: environment)
            } catch let error as Unavailable where error.description.contains("in use") {
                lastError = error
            }
        }
        throw lastError ?? Unavailable(description: "no free port")
    }

    static func start(dataDirectory: URL, port: Int, databaseURL: String?, environment extra: [String: String]) async throws -> ServerProcess {
        guard let executable else { throw Unavailable(description: "the leopard executable is not built beside the tests") }
        let process = Process()
        process.executableURL = executable
        var arguments = ["serve", "--port", String(port), "--data-dir", dataDirectory.path, "--signup-rate-limit", "0", "--log-level", "error"]
        if let databaseURL { arguments += ["--database-url", databaseURL] }
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        let errorLog = dataDirectory.appendingPathComponent("serve-\(port).log")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errorLog)
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        let ready = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            // Reads the server's output on a thread of its own until the line appears or the
            // pipe closes (the process ended).
            Thread.detachNewThread {
                var seen = ""
                while true {
                    let chunk = output.fileHandleForReading.availableData
                    if chunk.isEmpty {
                        continuation.resume(returning: false)
                        return
                    }
                    seen += String(decoding: chunk, as: UTF8.self)
                    if seen.contains("Leopard is running") {
                        continuation.resume(returning: true)
                        // Keep draining so the server never blocks on a full pipe.
                        while !output.fileHandleForReading.availableData.isEmpty {}
                        return
                    }
                }
            }
        }
        guard ready else {
            let log = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            throw Unavailable(description: "leopard serve exited before it was running: \(log.suffix(2000))")
        }
        return ServerProcess(process: process, port: port, exited: exited)
    }

    /// SIGKILL: no shutdown of any kind.
    func kill() {
        let pid = process.processIdentifier
        Glibc.kill(pid, SIGKILL)
        // Foundation's Process can miss a child's exit when other tests start and stop processes
        // at the same moment (a CI run hung here); the child is gone once waitpid says so.
        while exited.wait(timeout: .now() + 0.5) == .timedOut {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result == -1 && errno == ECHILD) { return }
        }
    }

    /// SIGTERM; true when the server shut down by itself within 30 seconds (otherwise it is
    /// killed).
    func stop() -> Bool {
        process.terminate()
        let pid = process.processIdentifier
        for _ in 0..<60 {
            if exited.wait(timeout: .now() + 0.5) == .success { return true }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return (status & 0x7f) == 0 }  // exited by itself (not by a signal)
            if result == -1 && errno == ECHILD { return true }
        }
        kill()
        return false
    }
}
