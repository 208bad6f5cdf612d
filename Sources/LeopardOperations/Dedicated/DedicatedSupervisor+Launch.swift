import AsyncHTTPClient
import Foundation
import LeopardCore
import LeopardPlatform
import Logging
import NIOCore
import NIOPosix

/// Starting a dedicated store's process: a free port, the environment it needs to find the
/// platform, the line that says it is ready, and its health check.
extension DedicatedSupervisor {
    /// Starts the process on a free port and returns once it answers its health check. A port
    /// taken between finding it free and the instance binding it means another try.
    nonisolated func launch(tenantID: String, generation: Int) async throws -> Instance {
        var lastError: (any Error)?
        for _ in 0..<3 {
            do {
                return try await launchOnce(tenantID: tenantID, generation: generation)
            } catch {
                lastError = error
            }
        }
        logger.error(
            "dedicated instance did not start", metadata: ["tenant": .string(tenantID), "error": .string("\(lastError.map { "\($0)" } ?? "unknown")")])
        throw lastError ?? StartFailed(description: "the dedicated instance did not start")
    }

    private nonisolated func launchOnce(tenantID: String, generation: Int) async throws -> Instance {
        guard let executable = configuration.dedicatedExecutable ?? Self.currentExecutable() else {
            throw StartFailed(description: "the leopard executable could not be found")
        }
        let port = try await Self.freePort()
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--tenant", tenantID, "--host", "127.0.0.1", "--port", String(port)]
        process.environment = childEnvironment()
        let output = Pipe()
        process.standardOutput = output
        let ready = ReadyLine(marker: "dedicated instance ready")
        let exit = Latch()
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                ready.finish(false)
                return
            }
            ready.feed(data)
        }
        process.terminationHandler = { [weak self] _ in
            ready.finish(false)
            exit.open(true)
            guard let self else { return }
            Task { await self.exited(tenantID, generation: generation) }
        }
        try process.run()
        guard await ready.wait(timeout: .seconds(20)) else {
            await Self.terminate(process, exit: exit)
            throw StartFailed(description: "the dedicated instance for \(tenantID) exited or did not say it was ready")
        }
        // The health check, as a load balancer would make it.
        var check = HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz")
        check.method = .GET
        let health: HTTPClientResponse
        do {
            health = try await client.execute(check, timeout: .seconds(5))
        } catch {
            await Self.terminate(process, exit: exit)
            throw error
        }
        guard health.status == .ok else {
            await Self.terminate(process, exit: exit)
            throw StartFailed(description: "the dedicated instance for \(tenantID) answered its health check with \(health.status.code)")
        }
        logger.info(
            "dedicated instance started",
            metadata: ["tenant": .string(tenantID), "port": .stringConvertible(port), "pid": .stringConvertible(process.processIdentifier)])
        return Instance(process: process, exit: exit, port: port, generation: generation)
    }

    /// What the instance needs to find the platform: the same data directory, databases, key
    /// and base domain as this process, passed in its environment (never on the command line,
    /// which other users can read).
    private nonisolated func childEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["LEOPARD_DATA_DIR"] = configuration.dataDirectory.path
        environment["LEOPARD_BASE_DOMAIN"] = configuration.baseDomain
        environment["LEOPARD_DATABASE_URL"] = configuration.databaseURL ?? ""
        environment["LEOPARD_PUBLIC_URL"] = configuration.publicURL ?? ""
        if let key = configuration.secretKey { environment["LEOPARD_SECRET_KEY"] = key }
        if let previous = configuration.previousSecretKey { environment["LEOPARD_SECRET_KEY_PREVIOUS"] = previous }
        environment["LEOPARD_PASSWORD_HASH_COST"] = String(configuration.passwordHashCost)
        environment["LEOPARD_PARENT_PID"] = String(getpid())
        if configuration.allowPrivateWebhookTargets { environment["LEOPARD_WEBHOOK_ALLOW_PRIVATE"] = "1" }
        environment["LEOPARD_STRIPE_API_BASE"] = configuration.stripeAPIBase
        environment["LEOPARD_STRIPE_JS_URL"] = configuration.stripeJSURL
        environment["LOG_LEVEL"] = configuration.logLevel.rawValue
        return environment
    }

    /// This process's own executable (`/proc/self/exe`): the platform starts its instances from
    /// the same build.
    static func currentExecutable() -> URL? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return URL(fileURLWithPath: path) }
        return Bundle.main.executableURL
    }

    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    /// SIGTERM (a graceful stop: requests in flight finish), then SIGKILL after 10 s; returns
    /// once the process has exited.
    static func terminate(_ process: Process, exit: Latch) async {
        guard process.isRunning else { return }
        process.terminate()
        if await exit.wait(timeout: .seconds(10)) { return }
        kill(process.processIdentifier, SIGKILL)
        _ = await exit.wait(timeout: .seconds(10))
    }
}
