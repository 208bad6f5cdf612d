import Foundation
import LeopardCore
import LeopardPlatform
import LeopardStorage
import Logging
import PostgresNIO
import SQLKit
import ServiceLifecycle

/// Keeps this instance's look-up caches in step with registry changes made anywhere: by another
/// `leopard serve` on the same platform database, or by the command line. Database triggers
/// announce every change to a store's row or domains (see `PlatformSchema`'s change feed);
/// this service hears them through `LISTEN` on PostgreSQL, or reads `tenant_changes` every
/// `pollInterval` on SQLite, and drops what they make stale. (The catalog response cache needs
/// no announcement: it checks the store's catalog version at least once a second.) Whenever it (re)starts listening it
/// drops every cached look-up, since changes may have been missed meanwhile.
public actor TenantChangeFeed: Service {
    let platform: any DatabaseHandle
    let server: PostgresServer?
    public let directory: TenantDirectory
    let pollInterval: Duration
    let metrics: PlatformMetrics?
    public let logger: Logger
    private var listening = false
    /// Since when the feed has been down, after it had listened or failed to: nil while it
    /// listens, and before its first try.
    private var downSince: Date?
    /// The feed has stopped for good (shutdown): nobody waits for it to listen any more.
    private var finished = false
    private var listeningWaiters: [CheckedContinuation<Void, Never>] = []
    private var observers: [UUID: AsyncStream<TenantChange>.Continuation] = [:]
    /// SQLite: announcements older than this are deleted by the instances that read them.
    static let retention: TimeInterval = 600

    init(
        platform: any DatabaseHandle, server: PostgresServer?, directory: TenantDirectory,
        pollInterval: Duration = .milliseconds(200), metrics: PlatformMetrics? = nil, logger: Logger
    ) {
        self.platform = platform
        self.server = server
        self.directory = directory
        self.pollInterval = pollInterval
        self.metrics = metrics
        self.logger = logger
    }

    /// What `/readyz` and `/metrics` say of the feed.
    public enum State: Sendable, Equatable {
        case starting
        case listening
        case down(since: Date)

        /// `starting`, `listening` or `down`, as `/readyz` reports it.
        public var name: String {
            switch self {
            case .starting: "starting"
            case .listening: "listening"
            case .down: "down"
            }
        }

        /// When the feed went down, while it is down.
        public var downSince: Date? {
            if case .down(let since) = self { since } else { nil }
        }
    }

    public var state: State {
        if listening { return .listening }
        return downSince.map { .down(since: $0) } ?? .starting
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if let server = self.server {
                        try await self.listen(server)
                    } else {
                        try await self.poll()
                    }
                } catch {
                    if Task.isCancelled { break }
                    await self.failed(error)
                }
                await self.stoppedListening()
                // A pause before trying again, so that a platform database that is down is not hammered.
                try? await Task.sleep(for: .seconds(1))
            }
        }
        for observer in observers.values { observer.finish() }
        observers.removeAll()
        finished = true
        for waiter in listeningWaiters { waiter.resume() }
        listeningWaiters.removeAll()
    }

    /// Returns once the feed is listening (tests, and a start that wants caches trustworthy), or
    /// at once when it has stopped for good.
    func untilListening() async {
        if listening || finished { return }
        await withCheckedContinuation { listeningWaiters.append($0) }
    }

    /// Every change this instance hears of from now on, after its caches dropped it.
    func changes() -> AsyncStream<TenantChange> {
        let (stream, continuation) = AsyncStream<TenantChange>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        let id = UUID()
        observers[id] = continuation
        continuation.onTermination = { _ in Task { await self.removeObserver(id) } }
        return stream
    }

    private func removeObserver(_ id: UUID) {
        observers[id] = nil
    }

    /// Counts an outage once, however many reconnection attempts it takes.
    private func failed(_ error: any Error) {
        guard downSince == nil else { return }
        downSince = Date()
        metrics?.changeFeedOutage()
        logger.warning(
            "the tenant change feed stopped; look-ups fall back to their 30-second lifetime until it is back",
            metadata: ["error": .string(DatabaseErrors.summary(error))])
    }

    private func startedListening() async {
        await directory.invalidateAll()
        if let since = downSince {
            let seconds = Date().timeIntervalSince(since)
            logger.notice("the tenant change feed is back", metadata: ["down_seconds": .string(String(format: "%.1f", seconds))])
            downSince = nil
        }
        listening = true
        for waiter in listeningWaiters { waiter.resume() }
        listeningWaiters.removeAll()
    }

    private func stoppedListening() {
        listening = false
    }

    func apply(_ change: TenantChange) async {
        await directory.invalidate(change)
        for observer in observers.values { observer.yield(change) }
    }

    /// PostgreSQL: one connection of its own, listening until it fails or the task is cancelled.
    private func listen(_ server: PostgresServer) async throws {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .error)
        let connection = try await PostgresConnection.connect(configuration: try server.connectionConfiguration(), id: 1, logger: quiet)
        do {
            try await withTaskCancellationHandler {
                try await connection.listen(on: TenantChange.channel) { notifications in
                    await self.startedListening()
                    for try await notification in notifications {
                        if let change = TenantChange(payload: notification.payload) { await self.apply(change) }
                    }
                }
            } onCancel: {
                let closing: EventLoopFuture<Void> = connection.close()
                _ = closing
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }

    /// SQLite: reads what was appended since the last read, every `pollInterval`.
    private func poll() async throws {
        var last = try await platform.read { sql in
            try await sql.raw("SELECT COALESCE(MAX(seq), 0) AS seq FROM tenant_changes").first()?.decode(column: "seq", as: Int64.self) ?? 0
        }
        await startedListening()
        var lastPrune = ContinuousClock.now
        while !Task.isCancelled {
            try await Task.sleep(for: pollInterval)
            let after = last
            let rows = try await platform.read { sql in
                try await sql.raw("SELECT seq, payload FROM tenant_changes WHERE seq > \(bind: after) ORDER BY seq LIMIT 1000").all().map { row in
                    (try row.decode(column: "seq", as: Int64.self), try row.decode(column: "payload", as: String.self))
                }
            }
            for (seq, payload) in rows {
                if let change = TenantChange(payload: payload) { await apply(change) }
                last = seq
            }
            if ContinuousClock.now - lastPrune > .seconds(60) {
                lastPrune = ContinuousClock.now
                let cutoff = Date().addingTimeInterval(-Self.retention)
                try await platform.writeStatement { sql in
                    try await sql.raw("DELETE FROM tenant_changes WHERE at < \(bind: cutoff.stamp)").run()
                }
            }
        }
    }
}
