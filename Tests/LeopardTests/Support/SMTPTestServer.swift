import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// aiosmtpd (PyPI), a real SMTP server, on a free loopback port, started from the e2e venv
/// (`bash e2e/venv.sh` installs it) with `e2e/smtp_server.py`, which stores each message it
/// accepts as a file in a folder of its own.
// @unchecked: the process handle is written once in init and afterwards only stopped, which
// Foundation's Process allows from any thread.
final class SMTPTestServer: @unchecked Sendable {
    static let python = LocalStripe.python
    /// CI sets LEOPARD_REQUIRE_SMTP=1: then these tests run (and fail) rather than skip.
    static let isAvailable: Bool = ProcessInfo.processInfo.environment["LEOPARD_REQUIRE_SMTP"] == "1" || installed()
    static let skipReason = "SMTP tests skipped: aiosmtpd is not installed in e2e/.venv (run `bash e2e/venv.sh`)"

    struct Options {
        var tls = false
        var auth: (user: String, password: String)?
        var dropFirst = 0
    }

    let port: Int
    let mailbox: MailFolder
    let certificate: URL?
    private let folder: URL
    private let process: Process

    struct Failed: Error, CustomStringConvertible { let description: String }

    static func installed() -> Bool {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: python)
        check.arguments = ["-c", "import aiosmtpd"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { return false }  // cannot start: not installed
        check.waitUntilExit()
        return check.terminationStatus == 0
    }

    init(_ options: Options = Options()) async throws {
        guard Self.installed() else { throw Failed(description: Self.skipReason) }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var arguments = [LocalStripe.root.appendingPathComponent("e2e/smtp_server.py").path]
        if options.tls {
            let (cert, key) = try Self.makeCertificate(in: folder)
            certificate = cert
            arguments += ["--tls", cert.path, key.path]
        } else {
            certificate = nil
        }
        if let auth = options.auth { arguments += ["--auth", "\(auth.user):\(auth.password)"] }
        if options.dropFirst > 0 { arguments += ["--drop-first", String(options.dropFirst)] }
        mailbox = MailFolder(folder: folder.appendingPathComponent("mail"))
        var lastError = "no attempt"
        for _ in 0..<3 {
            let port = try FreePort.tcp()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.python)
            process.arguments = [arguments[0], String(port), folder.appendingPathComponent("mail").path] + arguments.dropFirst()
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            if await Self.listening(port: port, process: process) {
                self.port = port
                self.process = process
                return
            }
            Self.end(process)
            lastError = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        }
        throw Failed(description: "the SMTP server did not start: \(lastError.suffix(1000))")
    }

    /// Whether the port accepts connections within 20 seconds; false at once when the process exited.
    private static func listening(port: Int, process: Process) async -> Bool {
        for _ in 0..<100 {
            if connects(port: port) { return true }
            guard process.isRunning else { return false }
            try? await Task.sleep(for: .milliseconds(200))  // a cancelled wait just tries sooner
        }
        return false
    }

    private static func connects(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// A self-signed certificate for 127.0.0.1 and localhost, made with openssl for this run.
    private static func makeCertificate(in folder: URL) throws -> (URL, URL) {
        let cert = folder.appendingPathComponent("cert.pem")
        let key = folder.appendingPathComponent("key.pem")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.path, "-out", cert.path, "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw Failed(description: "openssl could not make a test certificate") }
        return (cert, key)
    }

    func stop() {
        Self.end(process)
        try? FileManager.default.removeItem(at: folder)  // a temporary folder; nothing depends on it
    }

    /// SIGKILL, and the child reaped with waitpid (Foundation's Process can miss a child's exit,
    /// and its waitUntilExit can wait for ever), as LocalStripe does.
    private static func end(_ process: Process) {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        kill(pid, SIGKILL)
        for _ in 0..<100 {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result == -1 && errno == ECHILD) || !process.isRunning { return }
            usleep(50_000)
        }
    }

    deinit { stop() }
}
