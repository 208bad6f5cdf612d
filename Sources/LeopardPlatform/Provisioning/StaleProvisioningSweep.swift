import Foundation
import LeopardCore
import LeopardStorage
import Logging

/// Cleans up after provisioning runs that never finished (the process died mid-saga, or a
/// compensation failed): rows still in `provisioning` well after they began. Their database
/// (and role) is dropped, then the row, which frees the slug. Run at start-up.
public struct StaleProvisioningSweep: Sendable {
    let registry: TenantRegistry
    let provider: any TenantDatabaseProvider
    let logger: Logger

    /// A signup takes milliseconds; one this old is not in progress.
    public static let age: TimeInterval = 10 * 60

    public init(registry: TenantRegistry, provider: any TenantDatabaseProvider, logger: Logger) {
        self.registry = registry
        self.provider = provider
        self.logger = logger
    }

    /// Returns the ids it removed. A row whose database cannot be dropped is kept for next time.
    @discardableResult
    public func run(now: Date = Date()) async throws -> [String] {
        var removed: [String] = []
        let stale = try await registry.all(status: .provisioning).filter { now.timeIntervalSince($0.createdAt) > Self.age }
        for tenant in stale {
            do {
                try await provider.drop(tenant.database)
                guard try await registry.remove(id: tenant.id, ifStatus: .provisioning) != nil else { continue }
                removed.append(tenant.id)
                logger.notice("removed an unfinished signup", metadata: ["tenant": .string(tenant.id), "slug": .string(tenant.slug)])
            } catch {
                logger.error(
                    "could not remove an unfinished signup", metadata: ["tenant": .string(tenant.id), "error": .string(DatabaseErrors.summary(error))])
            }
        }
        return removed
    }
}
