import Foundation
import LeopardStorage
import PostgresNIO
import SQLKit

/// A throwaway PostgreSQL server for the tests: `LEOPARD_TEST_DATABASE_URL` when set, otherwise
/// a cluster made with `initdb` in a temporary folder on a free port, listening on 127.0.0.1
/// only. A watchdog stops it and removes its folder when this test process exits.
actor PostgresTestCluster {
    static let shared = PostgresTestCluster()

    /// A cluster of its own (a second pod), never the external server: tests may stop it.
    static func separate() -> PostgresTestCluster { PostgresTestCluster(ownCluster: true) }

    private var started: Task<PostgresServer, any Error>?
    private let ownCluster: Bool
    /// The cluster's folder, when this process made it.
    private var root: String?

    init(ownCluster: Bool = false) {
        self.ownCluster = ownCluster
    }

    /// Stops a cluster this process made, at once (`pg_ctl -m immediate`): a server going down.
    func stop() async throws {
        guard let root, let bin = Self.binDirectory else { return }
        let asRoot = getuid() == 0
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                continuation.resume(with: Result { try Self.runAsOwner(asRoot, bin + "/pg_ctl", ["-D", root + "/data", "-m", "immediate", "-w", "stop"]) })
            }
        }
    }

    /// Where the server binaries are, if anywhere.
    static let binDirectory: String? = {
        let manager = FileManager.default
        if let versions = try? manager.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
                let bin = "/usr/lib/postgresql/\(version)/bin"
                if manager.isExecutableFile(atPath: bin + "/initdb") { return bin }
            }
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            if manager.isExecutableFile(atPath: "\(directory)/initdb"), manager.isExecutableFile(atPath: "\(directory)/pg_ctl") { return String(directory) }
        }
        return nil
    }()

    static var externalURL: String? {
        ProcessInfo.processInfo.environment["LEOPARD_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// CI sets LEOPARD_REQUIRE_POSTGRES=1: then the PostgreSQL tests run (and fail) rather than skip.
    static var required: Bool { ProcessInfo.processInfo.environment["LEOPARD_REQUIRE_POSTGRES"] == "1" }

    static var isAvailable: Bool { required || externalURL != nil || binDirectory != nil }

    static let skipReason =
        "PostgreSQL tests skipped: no server binaries (initdb, pg_ctl) found under /usr/lib/postgresql or on PATH, and LEOPARD_TEST_DATABASE_URL is not set. Install Debian's postgresql package to run them."

    /// The server, started on first use.
    func server() async throws -> PostgresServer {
        if let started { return try await started.value }
        // initdb and pg_ctl block: run them on a thread of their own, not on Swift's few
        // cooperative threads.
        let own = ownCluster
        let task = Task {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(PostgresServer, String?), any Error>) in
                Thread.detachNewThread { continuation.resume(with: Result { try Self.start(own: own) }) }
            }
        }
        started = Task { try await task.value.0 }
        let (server, root) = try await task.value
        self.root = root
        return server
    }

    /// A new empty database on the server, for one test's platform database.
    func makeDatabase() async throws -> String {
        let server = try await server()
        let name = "leopard_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = try await PostgresDatabaseHandle.connect(server: server, maximumConnections: 1)
        try await admin.read { try await $0.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
        await admin.close()
        var url = "postgres://\(server.username)"
        if let password = server.password { url += ":\(password)" }
        return url + "@\(server.host):\(server.port)/\(name)"
    }

    struct StartFailed: Error, CustomStringConvertible {
        let description: String
    }

    private static func start(own: Bool) throws -> (PostgresServer, String?) {
        if let externalURL, !own {
            return (try PostgresServer(url: externalURL), nil)
        }
        guard let bin = binDirectory else { throw StartFailed(description: skipReason) }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("leopard-pg-\(UUID().uuidString.prefix(8))", isDirectory: true).path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let password = "leopard-test"
        try password.write(toFile: root + "/pw", atomically: true, encoding: .utf8)
        let asRoot = getuid() == 0
        if asRoot {
            // initdb refuses to run as root: the cluster belongs to the postgres user.
            try run("/bin/chown", ["-R", "postgres", root])
        }
        let port = try FreePort.tcp()
        try runAsOwner(
            asRoot, bin + "/initdb",
            [
                "-D", root + "/data", "-U", "leopard", "--pwfile=" + root + "/pw", "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8",
                "--no-locale", "--no-sync",
            ])
        try runAsOwner(
            asRoot, bin + "/pg_ctl",
            [
                "-D", root + "/data", "-l", root + "/server.log", "-w", "-t", "60",
                "-o",
                "-p \(port) -k \(root) -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                "start",
            ])
        startWatchdog(asRoot: asRoot, pgCtl: bin + "/pg_ctl", root: root)
        return (PostgresServer(host: "127.0.0.1", port: port, username: "leopard", password: password, database: "postgres"), root)
    }

    /// Stops the cluster and removes its folder once this process has gone.
    private static func startWatchdog(asRoot: Bool, pgCtl: String, root: String) {
        let stop = (asRoot ? "runuser -u postgres -- " : "") + "\(pgCtl) -D \(root)/data -m immediate stop"
        let script = "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(stop) >/dev/null 2>&1; rm -rf \(root)"
        _ = try? spawn("/usr/bin/setsid", ["/bin/sh", "-c", script], output: "/dev/null")
    }

    private static func runAsOwner(_ asRoot: Bool, _ executable: String, _ arguments: [String]) throws {
        if asRoot {
            try run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
        } else {
            try run(executable, arguments)
        }
    }

    /// Runs a command to completion with posix_spawn and waitpid (Foundation's Process can miss
    /// the exit of a child whose own child lives on, as `pg_ctl start`'s server does). Output
    /// goes to a file, which the server may keep open without blocking anyone.
    private static func run(_ executable: String, _ arguments: [String]) throws {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("leopard-pg-cmd-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let pid = try spawn(executable, arguments, output: outputPath)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw StartFailed(description: "\(executable) \(arguments.joined(separator: " ")) failed (status \(status)): \(text.suffix(2000))")
        }
    }

    private static func spawn(_ executable: String, _ arguments: [String], output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard result == 0 else { throw StartFailed(description: "cannot start \(executable): error \(result)") }
        return pid
    }
}
