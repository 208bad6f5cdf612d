import Foundation

/// A program the platform runs to completion: `pg_dump`, `pg_restore`. Arguments go as a list
/// (no shell); secrets go only in the environment (`PGPASSWORD`), never in the arguments, which
/// other users of the machine can see.
public struct ExternalTool: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public struct Failed: Error, CustomStringConvertible {
        public let tool: String
        public let status: Int32
        /// The tool's last lines of error output.
        public let output: String
        public var description: String {
            let name = (tool as NSString).lastPathComponent
            return "\(name) failed (exit \(status))" + (output.isEmpty ? "" : ": \(output)")
        }
    }

    public struct NotFound: Error, CustomStringConvertible {
        public let name: String
        public var description: String {
            "\(name) was not found: install PostgreSQL's client programs (Debian: postgresql-client, the same major version as the server or newer), or set LEOPARD_PG_BIN_DIR to their folder"
        }
    }

    /// The PostgreSQL client program `name`: in `LEOPARD_PG_BIN_DIR`, else the newest
    /// `/usr/lib/postgresql/N/bin` (Debian's layout; `pg_dump` must not be older than the
    /// server), else on `PATH`.
    public static func postgres(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ExternalTool {
        let manager = FileManager.default
        if let folder = environment["LEOPARD_PG_BIN_DIR"], !folder.isEmpty {
            let path = folder + "/" + name
            guard manager.isExecutableFile(atPath: path) else { throw NotFound(name: path) }
            return ExternalTool(path: path)
        }
        if let versions = try? manager.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
                let path = "/usr/lib/postgresql/\(version)/bin/\(name)"
                if manager.isExecutableFile(atPath: path) { return ExternalTool(path: path) }
            }
        }
        for folder in (environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(folder)/\(name)"
            if manager.isExecutableFile(atPath: path) { return ExternalTool(path: path) }
        }
        throw NotFound(name: name)
    }

    /// Runs the program and waits for it; throws `Failed` with its error output unless it
    /// exits 0. Output goes to a temporary file, so a chatty program never blocks on a pipe.
    public func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in extra { environment[key] = value }
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("leopard-tool-\(UUID().uuidString).log").path
        FileManager.default.createFile(atPath: logPath, contents: nil, attributes: [.posixPermissions: 0o600])
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let status = try await Spawn.run(path: path, arguments: arguments, environment: environment, outputPath: logPath)
        guard status == 0 else {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n").suffix(5).joined(separator: " | ")
            throw Failed(tool: path, status: status, output: String(lines.prefix(1000)))
        }
    }
}
