import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import LeopardCore
import LeopardPlatform
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The platform's side of dedicated stores: each is served by its own `leopard serve --tenant
/// ID` process on a free loopback port, started when a request for it arrives, health-checked,
/// sent the request with a signed `X-Leopard-Proxy` header, and stopped once it has been idle
/// for `idleTimeout` (scale to zero). Requests that arrive while it starts wait for that start;
/// one start per store, however many arrive. A process that stops by itself is started again
/// on the next request.
public actor DedicatedInstances {
    struct Instance: Sendable {
        let process: Process
        /// Opens when the process has exited.
        let exit: Latch
        let port: Int
        let generation: Int
        var inFlight = 0
        var lastUsed = ContinuousClock.now
    }

    private enum Slot {
        case starting(Task<Instance, any Error>)
        case running(Instance)
    }

    struct StartFailed: Error, CustomStringConvertible {
        let description: String
    }

    private var slots: [String: Slot] = [:]
    private var generation = 0
    /// How many processes were started (tests, the benchmark).
    public private(set) var starts = 0
    private var reaper: Task<Void, Never>?
    private var shuttingDown = false

    let configuration: ServerConfiguration
    let signature: ProxySignature
    let client: HTTPClient
    let logger: Logger

    init(configuration: ServerConfiguration, signature: ProxySignature, client: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.signature = signature
        self.client = client
        self.logger = logger
    }

    /// The store's instance, started if need be; the caller holds one request on it until `done`.
    private func acquire(_ tenantID: String) async throws -> Instance {
        while true {
            guard !shuttingDown else { throw StartFailed(description: "the platform is shutting down") }
            switch slots[tenantID] {
            case .running(var instance):
                guard instance.process.isRunning else {
                    // It died and its termination handler has not run yet: start another.
                    slots[tenantID] = nil
                    continue
                }
                instance.inFlight += 1
                instance.lastUsed = .now
                slots[tenantID] = .running(instance)
                return instance
            case .starting(let task):
                // The start stores `.running` (or clears the slot) before it finishes, so after
                // this the loop finds the instance, or nothing and starts again.
                _ = try await task.value
                continue
            case nil:
                generation += 1
                starts += 1
                let generation = self.generation
                let task = Task {
                    do {
                        let instance = try await self.launch(tenantID: tenantID, generation: generation)
                        await self.started(tenantID, instance)
                        return instance
                    } catch {
                        self.failedToStart(tenantID, generation: generation)
                        throw error
                    }
                }
                slots[tenantID] = .starting(task)
                _ = try await task.value
            }
        }
    }

    private func started(_ tenantID: String, _ instance: Instance) async {
        if shuttingDown {
            slots[tenantID] = nil
            await Self.terminate(instance.process, exit: instance.exit)
            return
        }
        slots[tenantID] = .running(instance)
        scheduleReaper()
    }

    private func failedToStart(_ tenantID: String, generation: Int) {
        if case .starting = slots[tenantID] { slots[tenantID] = nil }
    }

    private func done(_ tenantID: String, generation: Int) {
        guard case .running(var instance) = slots[tenantID], instance.generation == generation else { return }
        instance.inFlight -= 1
        instance.lastUsed = .now
        slots[tenantID] = .running(instance)
    }

    /// Sends `request` to the store's instance (`path` replaces the request's path and query for
    /// `/proxy/:tenantId/…`; `host` is the store's host the instance resolves) and returns its answer.
    func forward(_ request: Request, tenant: Tenant, host: String, path: String, clientAddress: String?, retried: Bool = false) async throws -> Response {
        if let upstream = configuration.dedicatedUpstream {
            // Started and stopped by the orchestrator (Knative, Cloud Run), which holds requests
            // while the instance starts.
            return try await send(request, to: Self.upstreamURL(upstream, tenant: tenant), tenant: tenant, host: host, path: path, clientAddress: clientAddress,
                                  hostInForwardedHost: true)
        }
        let instance: Instance
        do {
            instance = try await acquire(tenant.id)
        } catch let problem as Problem {
            throw problem
        } catch {
            // Not started (or its health check failed): the shopper gets a 503, never a 500.
            throw Problem.unavailable("The store's own instance could not be started; try again shortly.")
        }
        do {
            let response = try await send(request, to: "http://127.0.0.1:\(instance.port)", tenant: tenant, host: host, path: path, clientAddress: clientAddress)
            done(tenant.id, generation: instance.generation)
            return response
        } catch {
            done(tenant.id, generation: instance.generation)
            // The instance died under the request (killed, crashed): forget it. A read is sent
            // again to a new one; a write may have been half done, so its client decides. The
            // exit can take a moment to be seen on a busy machine (500 ms was too short once, and
            // the request got the connection error as a 500).
            guard !retried, await instance.exit.wait(timeout: .seconds(5)) else {
                if let problem = error as? Problem { throw problem }
                throw Problem.unavailable("The store's own instance is not answering; try again shortly.")
            }
            exited(tenant.id, generation: instance.generation)
            guard request.method == .get || request.method == .head else {
                throw Problem.unavailable("The store's instance restarted while answering; try again.")
            }
            return try await forward(request, tenant: tenant, host: host, path: path, clientAddress: clientAddress, retried: true)
        }
    }

    /// `--dedicated-upstream http://leopard-store-{slug}.dedicated.svc.cluster.local`: the
    /// store's own service, named by its slug or id.
    static func upstreamURL(_ template: String, tenant: Tenant) -> String {
        template.replacingOccurrences(of: "{slug}", with: tenant.slug).replacingOccurrences(of: "{id}", with: tenant.id)
    }

    /// `hostInForwardedHost`: an orchestrator's gateway routes by `Host` (the store's service),
    /// so the store's host travels in `X-Forwarded-Host`, covered by the signature.
    private func send(_ request: Request, to base: String, tenant: Tenant, host: String, path: String, clientAddress: String?,
                      hostInForwardedHost: Bool = false) async throws -> Response {
        var outgoing = HTTPClientRequest(url: base + path)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        if hostInForwardedHost {
            outgoing.headers.replaceOrAdd(name: "X-Forwarded-Host", value: host)
        } else {
            outgoing.headers.replaceOrAdd(name: "Host", value: host)
        }
        outgoing.headers.replaceOrAdd(name: "X-Forwarded-For", value: clientAddress ?? "127.0.0.1")
        outgoing.headers.replaceOrAdd(name: ProxySignature.header.rawName,
                                      value: signature.sign(tenantID: tenant.id, method: request.method.rawValue, host: host, path: path))
        let length = request.headers[.contentLength].flatMap { Int($0) }
        if request.method != .get, request.method != .head {
            outgoing.body = .stream(request.body, length: length.map { .known(Int64($0)) } ?? .unknown)
        }
        let answer = try await client.execute(outgoing, timeout: .seconds(60))
        let body = try await answer.body.collect(upTo: Self.maximumResponseBytes)
        var headers = HTTPFields()
        for header in answer.headers where !Self.hopByHop.contains(header.name.lowercased()) && header.name.lowercased() != "content-length" {
            if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
        }
        return Response(status: .init(code: Int(answer.status.code), reasonPhrase: answer.status.reasonPhrase), headers: headers, body: .init(byteBuffer: body))
    }

    /// Sends one signed `GET /api/store` to the store's instance, starting it if it is not
    /// running, and returns the status (the cold-start benchmark: spawn to first response).
    public func firstResponse(for tenant: Tenant) async throws -> Int {
        let instance = try await acquire(tenant.id)
        defer { done(tenant.id, generation: instance.generation) }
        let host = HostClassifier(baseDomain: configuration.baseDomain).storeHost(slug: tenant.slug)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(instance.port)/api/store")
        request.headers.replaceOrAdd(name: "Host", value: host)
        request.headers.replaceOrAdd(name: ProxySignature.header.rawName, value: signature.sign(tenantID: tenant.id, method: "GET", host: host, path: "/api/store"))
        let answer = try await client.execute(request, timeout: .seconds(10))
        _ = try await answer.body.collect(upTo: 1 << 20)
        return Int(answer.status.code)
    }

    static let maximumResponseBytes = 64 << 20
    static let hopByHop: Set<String> = ["connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                                        "transfer-encoding", "upgrade", "host", "x-leopard-proxy", "x-forwarded-for", "x-forwarded-host"]

    /// The stores with a running instance, and its process id.
    public func running() -> [String: Int32] {
        slots.compactMapValues { slot in
            if case .running(let instance) = slot { return instance.process.processIdentifier }
            return nil
        }
    }

    /// The loopback port of the store's running instance (tests).
    func port(of tenantID: String) -> Int? {
        if case .running(let instance) = slots[tenantID] { return instance.port }
        return nil
    }

    /// Stops instances with no request in flight that have been idle `idleTimeout` by `now`;
    /// returns their stores.
    @discardableResult
    public func stopIdle(now: ContinuousClock.Instant = .now) async -> [String] {
        // Every idle slot leaves first, in one step on the actor, so that no request can be
        // routed to an instance being stopped, and the waits below act on nothing stale.
        var idle: [(String, Instance)] = []
        for (tenantID, slot) in slots {
            guard case .running(let instance) = slot, instance.inFlight == 0, now - instance.lastUsed >= configuration.idleTimeout else { continue }
            slots[tenantID] = nil
            idle.append((tenantID, instance))
        }
        for (tenantID, instance) in idle {
            await Self.terminate(instance.process, exit: instance.exit)
            logger.info("dedicated instance stopped after being idle", metadata: ["tenant": .string(tenantID)])
        }
        return idle.map(\.0)
    }

    /// Stops the store's instance now (it is no longer dedicated, or was suspended); requests in
    /// flight on it finish first.
    public func stop(tenantID: String) async {
        switch slots[tenantID] {
        case .starting(let task):
            _ = try? await task.value
            await stop(tenantID: tenantID)
        case .running(let instance):
            slots[tenantID] = nil
            await Self.terminate(instance.process, exit: instance.exit)
        case nil:
            return
        }
    }

    /// Stops every instance (platform shutdown).
    public func stopAll() async {
        shuttingDown = true
        reaper?.cancel()
        for tenantID in Array(slots.keys) { await stop(tenantID: tenantID) }
    }

    /// Called from the process's termination handler: an instance that stopped by itself
    /// (crashed, killed) leaves, and the next request starts another.
    private func exited(_ tenantID: String, generation: Int) {
        guard case .running(let instance) = slots[tenantID], instance.generation == generation else { return }
        slots[tenantID] = nil
        logger.warning("dedicated instance stopped by itself", metadata: ["tenant": .string(tenantID), "status": .stringConvertible(instance.process.terminationStatus)])
    }

    /// Checks for idle instances every quarter of the idle timeout while any runs.
    private func scheduleReaper() {
        guard reaper == nil else { return }
        let interval = max(configuration.idleTimeout / 4, .milliseconds(50))
        reaper = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                await self.stopIdle()
                if self.slots.isEmpty { break }
            }
            self.reaperEnded()
        }
    }

    private func reaperEnded() {
        reaper = nil
        if !slots.isEmpty, !shuttingDown { scheduleReaper() }
    }

    // MARK: Starting

    /// Starts the process on a free port and returns once it answers its health check. A port
    /// taken between finding it free and the instance binding it means another try.
    private nonisolated func launch(tenantID: String, generation: Int) async throws -> Instance {
        var lastError: (any Error)?
        for _ in 0..<3 {
            do {
                return try await launchOnce(tenantID: tenantID, generation: generation)
            } catch {
                lastError = error
            }
        }
        logger.error("dedicated instance did not start", metadata: ["tenant": .string(tenantID), "error": .string("\(lastError.map { "\($0)" } ?? "unknown")")])
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
        logger.info("dedicated instance started", metadata: ["tenant": .string(tenantID), "port": .stringConvertible(port), "pid": .stringConvertible(process.processIdentifier)])
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
