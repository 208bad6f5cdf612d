import LeopardOperations
import LeopardStorage
import Logging
import ServiceLifecycle

/// Writes every store's funnel counts every half minute, and once more when the server stops,
/// so that a store nobody visits again (or a restart) loses nothing it counted.
struct FunnelFlushService: Service, CustomStringConvertible {
    let tracker: FunnelTracker
    let platform: PlatformServices
    let logger: Logger
    var interval: Duration = .seconds(30)

    /// What the service lifecycle logs: never the platform's parts (its configuration holds
    /// the operator token).
    var description: String { "FunnelFlushService" }

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
            await flush(force: false)
        }
        await flush(force: true)
    }

    func flush(force: Bool) async {
        for tenantID in await tracker.waiting() {
            do {
                guard let tenant = try await platform.registry.find(id: tenantID) else { continue }
                try await platform.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                    try await tracker.flush(tenantID: tenant.id, database: database, force: force)
                }
            } catch {
                logger.warning("funnel counts not written; kept for the next try", metadata: ["tenant": .string(tenantID), "error": .string("\(error)")])
            }
        }
    }
}
