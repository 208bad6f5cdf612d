import LeopardPlatform
import LeopardStorage
import Logging
import ServiceLifecycle

/// Writes the request counts every half minute (and, through `LeopardServices.shutdown`, once
/// more when the platform stops).
struct UsageFlushService: Service {
    let usage: UsageLedger
    let logger: Logger
    var interval: Duration = .seconds(30)

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await gracefulShutdownSleep(for: interval)
            } catch {
                return
            }
            do {
                try await usage.flush()
            } catch {
                logger.warning("request counts not written; kept for the next try", metadata: ["error": .string(DatabaseErrors.summary(error))])
            }
        }
    }

    func gracefulShutdownSleep(for duration: Duration) async throws {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}
