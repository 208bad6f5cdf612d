import Foundation
import LeopardCore
import LeopardPlatform
import LeopardStorage
import Logging
import ServiceLifecycle

/// `serve --backup-every 24h --backup-keep 7`: backs up every store each interval into the
/// backup folder and keeps the newest `keep` files per store.
///
/// Every instance runs this service; the platform database makes them act as one. When a run
/// is due (one interval after the last scheduled run, recorded in `scheduled_runs`; at once when
/// there was none), each instance tries to start it, and the one that does queues one backup
/// job per store in the same transaction. Then every instance takes jobs from the queue
/// (`FOR UPDATE SKIP LOCKED`) until it is empty, so each store is backed up once per run, the
/// work is shared, and a job left by an instance that died is taken up when its lease ends.
/// Restarts neither skip nor repeat a run, and a manual backup does not move the schedule.
/// With several instances, `--backup-dir` must be storage they all see.
public struct BackupScheduleService: Service {
    let backups: StoreBackups
    public let directory: URL
    let interval: Duration
    let keep: Int
    public let logger: Logger

    static let runName = "backups"
    static let jobKind = "backup"
    /// How long a store's backup may take before another instance takes the job over.
    static let lease: TimeInterval = 3600

    var jobs: PlatformJobs { PlatformJobs(database: backups.services.platformDatabase) }
    var runs: ScheduledRuns { ScheduledRuns(database: backups.services.platformDatabase) }
    var seconds: TimeInterval { Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18 }

    public init(backups: StoreBackups, directory: URL, interval: Duration, keep: Int, logger: Logger) {
        self.backups = backups
        self.directory = directory
        self.interval = interval
        self.keep = keep
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let pause: Duration
            do {
                pause = try await firstWait(now: Date())
            } catch {
                logger.error("scheduled backup could not read its schedule", metadata: ["error": .string(DatabaseErrors.summary(error))])
                pause = .seconds(60)
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            } catch {
                return
            }
            // Due: start the run, or (when another instance just did) help with its jobs.
            await runOnce()
        }
    }

    /// One scheduled run as seen by this instance: start it if nobody has, then back up stores
    /// from the queue until it is empty. Returns what this instance did.
    @discardableResult
    func runOnce(now: Date = Date()) async -> (made: Int, failed: Int, removed: Int) {
        do {
            let registry = backups.services.registry
            let started = try await runs.start(Self.runName, interval: seconds, now: now) { sql in
                let stores = try await registry.all().filter { $0.status != .provisioning }.map(\.id)
                try await PlatformJobs.enqueue(Self.jobKind, tenantIDs: stores, now: now, on: sql)
            }
            if started {
                logger.notice("scheduled backup started", metadata: ["folder": .string(directory.path)])
                try? await jobs.prune(olderThan: 30 * 86_400, now: now)
            }
        } catch {
            logger.error("scheduled backup could not start", metadata: ["error": .string(DatabaseErrors.summary(error))])
        }
        var made = 0
        var failed = 0
        var removed = 0
        while true {
            let job: PlatformJobs.Job
            do {
                guard let next = try await jobs.claim(Self.jobKind, lease: Self.lease) else { break }
                job = next
            } catch {
                logger.error("scheduled backup could not take a job", metadata: ["error": .string(DatabaseErrors.summary(error))])
                break
            }
            let outcome = await backUp(job, now: now)
            made += outcome.made
            failed += outcome.failed
            removed += outcome.removed
        }
        if made + failed > 0 {
            logger.notice(
                "scheduled backups by this instance finished",
                metadata: [
                    "stores": .stringConvertible(made), "failed": .stringConvertible(failed), "removed": .stringConvertible(removed),
                    "folder": .string(directory.path),
                ])
        }
        return (made, failed, removed)
    }

    /// One store's backup and pruning; the job is finished either way (a failure is retried
    /// once its lease ends, up to three tries).
    private func backUp(_ job: PlatformJobs.Job, now: Date) async -> (made: Int, failed: Int, removed: Int) {
        let services = backups.services
        do {
            guard let id = job.tenantID, let tenant = try await services.registry.find(id: id), tenant.status != .provisioning else {
                try await jobs.finish(job)  // purged since the run started: nothing to back up
                return (0, 0, 0)
            }
            _ = try await backups.backup(tenant, to: directory, now: now)
            services.metrics.backup(succeeded: true)
            let removed = StoreBackups.prune(directory, keep: keep, tenantID: tenant.id)
            try await jobs.finish(job)
            return (1, 0, removed.count)
        } catch {
            services.metrics.backup(succeeded: false)
            services.logger.error("store backup failed", metadata: ["tenant": .string(job.tenantID ?? "-"), "error": .string(DatabaseErrors.summary(error))])
            try? await jobs.finish(job, error: DatabaseErrors.summary(error))
            return (0, 1, 0)
        }
    }

    /// How long until the next run is due.
    func firstWait(now: Date) async throws -> Duration {
        guard let last = try await runs.lastRun(Self.runName) else { return .zero }
        let seconds = last.addingTimeInterval(seconds).timeIntervalSince(now)
        return seconds <= 0 ? .zero : .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }
}
