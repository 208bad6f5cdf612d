import Foundation
import LeopardCore
import LeopardStorage
import Logging
import ServiceLifecycle

/// `serve --backup-every 24h --backup-keep 7`: backs up every store each interval into the
/// backup folder and keeps the newest `keep` files per store. The first run is due one interval
/// after the last scheduled run (recorded in `.last-scheduled-run` in the folder; at once when
/// there was none), so restarts neither skip nor repeat a run, and a manual backup of one store
/// does not delay the others.
struct BackupScheduleService: Service {
    let backups: StoreBackups
    let directory: URL
    let interval: Duration
    let keep: Int
    let logger: Logger

    func run() async throws {
        var wait = firstWait(now: Date())
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let pause = wait
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            } catch {
                return
            }
            await runOnce()
            wait = interval
        }
    }

    /// One scheduled run: every store, then the pruning. Failures are logged and counted.
    @discardableResult
    func runOnce(now: Date = Date()) async -> (made: Int, failed: Int, removed: Int) {
        do {
            let result = try await backups.backupAll(to: directory, now: now)
            let removed = StoreBackups.prune(directory, keep: keep)
            let marker = directory.appendingPathComponent(Self.markerName)
            if !FileManager.default.createFile(atPath: marker.path, contents: Data((Timestamp.string(now) + "\n").utf8)) {
                logger.warning("could not record the scheduled backup run", metadata: ["file": .string(marker.path)])
            }
            logger.notice("scheduled backup finished", metadata: [
                "stores": .stringConvertible(result.made.count), "failed": .stringConvertible(result.failed.count),
                "removed": .stringConvertible(removed.count), "folder": .string(directory.path),
            ])
            return (result.made.count, result.failed.count, removed.count)
        } catch {
            logger.error("scheduled backup could not list the stores", metadata: ["error": .string(DatabaseErrors.summary(error))])
            return (0, 0, 0)
        }
    }

    /// How long until the first run.
    func firstWait(now: Date) -> Duration {
        guard let newest = Self.lastScheduledRun(in: directory) else { return .zero }
        let due = newest.addingTimeInterval(Double(interval.components.seconds))
        let seconds = due.timeIntervalSince(now)
        return seconds <= 0 ? .zero : .milliseconds(Int64(seconds * 1000))
    }

    static let markerName = ".last-scheduled-run"

    /// When the last scheduled run finished, as its marker file says.
    static func lastScheduledRun(in directory: URL) -> Date? {
        let path = directory.appendingPathComponent(markerName).path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Timestamp.date(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
