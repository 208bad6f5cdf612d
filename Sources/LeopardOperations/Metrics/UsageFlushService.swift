import LeopardPlatform
import LeopardStorage
import Logging
import ServiceLifecycle

/// Writes the request counts every half minute (and, through `PlatformServices.shutdown`, once
/// more when the platform stops).
public struct UsageFlushService: Service {
    public let usage: UsageLedger
    public let logger: Logger
    var interval: Duration = .seconds(30)

    public init(usage: UsageLedger, logger: Logger, interval: Duration = .seconds(30)) {
        self.usage = usage
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
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
