import AsyncHTTPClient
import Foundation
import LeopardCore
import LeopardPlatform
import Logging
import NIOCore
import NIOPosix

/// The platform's side of dedicated stores: each is served by its own `leopard serve --tenant
/// ID` process on a free loopback port, started when a request for it arrives, health-checked,
/// and stopped once it has been idle for `idleTimeout` (scale to zero). Requests that arrive
/// while it starts wait for that start; one start per store, however many arrive. A process
/// that stops by itself is started again on the next request. The slot table (a store's
/// instance starting or running, with its requests in flight) lives here; starting a process
/// is `DedicatedSupervisor+Launch`; the HTTP proxy in front is the server's `DedicatedInstances`.
public actor DedicatedSupervisor {
    public struct Instance: Sendable {
        let process: Process
        /// Opens when the process has exited.
        public let exit: Latch
        public let port: Int
        public let generation: Int
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

    public let configuration: ServerConfiguration
    let client: HTTPClient
    public let logger: Logger

    public init(configuration: ServerConfiguration, client: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
    }

    /// The store's instance, started if need be; the caller holds one request on it until `done`.
    public func acquire(_ tenantID: String) async throws -> Instance {
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

    public func done(_ tenantID: String, generation: Int) {
        guard case .running(var instance) = slots[tenantID], instance.generation == generation else { return }
        instance.inFlight -= 1
        instance.lastUsed = .now
        slots[tenantID] = .running(instance)
    }

    /// The stores with a running instance, and its process id.
    public func running() -> [String: Int32] {
        slots.compactMapValues { slot in
            if case .running(let instance) = slot { return instance.process.processIdentifier }
            return nil
        }
    }

    /// The loopback port of the store's running instance (tests).
    public func port(of tenantID: String) -> Int? {
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
    public func exited(_ tenantID: String, generation: Int) {
        guard case .running(let instance) = slots[tenantID], instance.generation == generation else { return }
        slots[tenantID] = nil
        logger.warning(
            "dedicated instance stopped by itself", metadata: ["tenant": .string(tenantID), "status": .stringConvertible(instance.process.terminationStatus)])
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
}
