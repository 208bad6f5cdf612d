import LeopardPlatform
import LeopardStorage

/// `leopard migrate`: brings every store database up to the current schema, one at a time,
/// and says what happened to each. A store that fails does not stop the others.
public struct StoreMigrations: Sendable {
    public struct Report: Sendable, Equatable {
        public var tenantID: String
        public var slug: String
        /// The migrations applied now; empty when the store was up to date.
        public var applied: [String]
        /// Why the store could not be migrated, if it could not.
        public var failure: String?
    }

    let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }

    /// Every store but those still being created, each through a handle opened for the purpose
    /// (not the connection manager's, which would migrate on open and leave nothing to report).
    public func run() async throws -> [Report] {
        var reports: [Report] = []
        let provider = services.databases.provider
        for tenant in try await services.registry.all() where tenant.status != .provisioning {
            do {
                let database = try await provider.open(tenant.database)
                let applied: [String]
                do {
                    applied = try await services.storeMigrator.migrate(database)
                } catch {
                    await database.close()
                    throw error
                }
                await database.close()
                reports.append(Report(tenantID: tenant.id, slug: tenant.slug, applied: applied, failure: nil))
            } catch {
                reports.append(Report(tenantID: tenant.id, slug: tenant.slug, applied: [], failure: DatabaseErrors.summary(error)))
            }
        }
        return reports
    }
}
