import Foundation
import LeopardStorage
import Logging

/// Suspend, activate, soft delete, restore and purge. Each change drops the tenant from the
/// look-up cache and, when the store stops answering, closes its database handle.
public struct TenantLifecycle: Sendable {
    public enum Outcome: Sendable, Equatable {
        case changed(Tenant)
        case notFound
        /// The tenant is in a state the change does not start from.
        case conflict(TenantStatus)
        /// The store is being moved to another server: it cannot be purged meanwhile.
        case moving
    }

    let registry: TenantRegistry
    let directory: TenantDirectory
    let databases: TenantDatabases
    let logger: Logger

    public init(registry: TenantRegistry, directory: TenantDirectory, databases: TenantDatabases, logger: Logger = Logger(label: "leopard.lifecycle")) {
        self.registry = registry
        self.directory = directory
        self.databases = databases
        self.logger = logger
    }

    public func suspend(id: String) async throws -> Outcome {
        try await change(id: id, from: [.active, .suspended], to: .suspended)
    }

    public func activate(id: String) async throws -> Outcome {
        try await change(id: id, from: [.suspended, .active], to: .active)
    }

    public func softDelete(id: String) async throws -> Outcome {
        try await change(id: id, from: [.active, .suspended, .deleted], to: .deleted)
    }

    public func restore(id: String) async throws -> Outcome {
        try await change(id: id, from: [.deleted], to: .active)
    }

    /// Drops a soft-deleted store's database for good and removes it from the registry. The row
    /// goes first, only if the store is still deleted (so a restore racing with the purge wins or
    /// loses as a whole); then the handle closes once in-flight requests finish; then the drop.
    public func purge(id: String) async throws -> Outcome {
        guard let claimed = try await registry.remove(id: id, ifStatus: .deleted) else {
            guard let current = try await registry.find(id: id) else { return .notFound }
            return current.isReadOnly ? .moving : .conflict(current.status)
        }
        await directory.invalidate(id: id, slug: claimed.slug)
        await databases.close(tenantID: id)
        do {
            try await databases.provider.drop(claimed.database)
        } catch {
            // The registry no longer names it: say loudly what is left, for the operator.
            logger.error(
                "purge could not drop the store database; it is left behind",
                metadata: [
                    "tenant": .string(id), "database": .string(claimed.database.name), "error": .string(DatabaseErrors.summary(error)),
                ])
            throw error
        }
        try? await WebhookTenants(database: registry.database).remove(tenantID: id)
        // `try?`: the store is gone; rows left behind only stay out of reports (they join tenants).
        try? await PlatformActivity(database: registry.database).remove(tenantID: id)
        for hostname in (try? await DomainRegistry(database: registry.database).removeAll(tenantID: id)) ?? [] {
            await directory.invalidate(domain: hostname)
        }
        logger.notice("store purged", metadata: ["tenant": .string(id)])
        return .changed(claimed)
    }

    private func change(id: String, from: Set<TenantStatus>, to status: TenantStatus) async throws -> Outcome {
        guard let current = try await registry.find(id: id) else { return .notFound }
        if current.status == status, from.contains(status) {
            return .changed(current)
        }
        guard from.contains(current.status), let changed = try await registry.transition(id: id, from: from, to: status) else {
            let latest = try await registry.find(id: id)
            return latest.map { .conflict($0.status) } ?? .notFound
        }
        await directory.invalidate(id: id, slug: changed.slug)
        if status != .active {
            await databases.close(tenantID: id)
        }
        logger.notice("store status changed", metadata: ["tenant": .string(id), "from": .string(current.status.rawValue), "to": .string(status.rawValue)])
        return .changed(changed)
    }
}
