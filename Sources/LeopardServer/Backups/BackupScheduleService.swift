import Foundation
import LeopardStorage
import Logging
import ServiceLifecycle

/// `serve --backup-every 24h --backup-keep 7`: backs up every store each interval into the
/// backup folder and keeps the newest `keep` files per store. The first run is due one interval
/// after the newest backup already in the folder (at once when there is none), so restarts
/// neither skip nor repeat a run.
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
        guard let newest = Self.newestBackup(in: directory) else { return .zero }
        let due = newest.addingTimeInterval(Double(interval.components.seconds))
        let seconds = due.timeIntervalSince(now)
        return seconds <= 0 ? .zero : .milliseconds(Int64(seconds * 1000))
    }

    /// When the newest backup file in the folder was written.
    static func newestBackup(in directory: URL) -> Date? {
        let manager = FileManager.default
        var newest: Date?
        for folder in (try? manager.contentsOfDirectory(atPath: directory.path)) ?? [] {
            let path = directory.appendingPathComponent(folder).path
            for name in (try? manager.contentsOfDirectory(atPath: path)) ?? [] where name.hasSuffix(StoreBackups.fileSuffix) {
                if let date = try? manager.attributesOfItem(atPath: path + "/" + name)[.modificationDate] as? Date, date > (newest ?? .distantPast) {
                    newest = date
                }
            }
        }
        return newest
    }
}
