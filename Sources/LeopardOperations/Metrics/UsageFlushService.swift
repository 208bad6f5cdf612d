import Foundation
import LeopardPlatform
import LeopardStorage
import Logging
import ServiceLifecycle

/// Every half minute (and, through `PlatformServices.shutdown`, once more when the platform
/// stops): adds the time each store's database was open to its usage, writes the request counts,
/// and rolls up the activity of the stores that had requests (`ActivityRollup`).
public struct UsageFlushService: Service, CustomStringConvertible {
    public let services: PlatformServices
    public let logger: Logger
    var interval: Duration = .seconds(30)

    /// Service lifecycle logs each service's description: not the services it holds (secrets).
    public var description: String { "UsageFlushService" }

    public init(services: PlatformServices, logger: Logger, interval: Duration = .seconds(30)) {
        self.services = services
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        var backfill: String? = ""
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await gracefulShutdownSleep(for: interval)
            } catch {
                return
            }
            backfill = await Self.flush(services, logger: logger, backfillAfter: backfill ?? "")
        }
    }

    /// One round. With `backfillAfter`, a few stores never rolled up (after that id) are rolled
    /// up too; returns where the next round's backfill starts ("" from the start again).
    @discardableResult
    public static func flush(_ services: PlatformServices, logger: Logger, backfillAfter: String? = nil) async -> String? {
        let now = Date()
        for (tenantID, open) in await services.databases.drainOpenTime() {
            services.usage.record(tenantID: tenantID, open: open, at: now)
        }
        var busy: Set<String> = []
        do {
            busy = try await services.usage.flush()
        } catch {
            logger.warning("request counts not written; kept for the next try", metadata: ["error": .string(DatabaseErrors.summary(error))])
        }
        let rollup = ActivityRollup(services: services)
        var next: String?
        if let backfillAfter {
            do {
                let (ids, after) = try await rollup.unrolled(after: backfillAfter)
                busy.formUnion(ids)
                next = after
            } catch {
                logger.warning("stores never rolled up not listed", metadata: ["error": .string(DatabaseErrors.summary(error))])
                next = backfillAfter
            }
        }
        await rollup.run(busy, now: now)
        return next
    }

    func gracefulShutdownSleep(for duration: Duration) async throws {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}
