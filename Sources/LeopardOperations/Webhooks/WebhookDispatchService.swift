import Foundation
import ServiceLifecycle

/// Runs the webhook dispatcher beside the HTTP server until shutdown: a pass every poll
/// interval, or at once when nudged.
public struct WebhookDispatchService: Service {
    let dispatcher: WebhookDispatcher
    let interval: Duration

    public init(dispatcher: WebhookDispatcher, interval: Duration) {
        self.dispatcher = dispatcher
        self.interval = interval
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await dispatcher.runPass()
                await dispatcher.pause(interval)
            }
        }
    }
}
