import Foundation

/// The tenant look-up cache for request routing: slug or id → tenant, of any status (the caller
/// decides between 404 and 503). Entries live `timeToLive` at most, and are dropped at once when
/// this process changes a tenant; misses are cached briefly so that unknown hosts cannot
/// hammer the platform database.
public actor TenantDirectory {
    private struct Entry {
        var tenant: Tenant?
        var expires: ContinuousClock.Instant
    }

    private let registry: TenantRegistry
    private let timeToLive: Duration
    private let missTimeToLive: Duration
    private var bySlug: [String: Entry] = [:]
    private var byID: [String: Entry] = [:]
    private let maximumEntries: Int

    public init(registry: TenantRegistry, timeToLive: Duration = .seconds(30), missTimeToLive: Duration = .seconds(2), maximumEntries: Int = 100_000) {
        self.registry = registry
        self.timeToLive = timeToLive
        self.missTimeToLive = missTimeToLive
        self.maximumEntries = maximumEntries
    }

    public func tenant(slug: String) async throws -> Tenant? {
        let now = ContinuousClock.now
        if let entry = bySlug[slug], entry.expires > now { return entry.tenant }
        let tenant = try await registry.find(slug: slug)
        store(tenant, slugKey: slug, idKey: tenant?.id)
        return tenant
    }

    public func tenant(id: String) async throws -> Tenant? {
        let now = ContinuousClock.now
        if let entry = byID[id], entry.expires > now { return entry.tenant }
        let tenant = try await registry.find(id: id)
        store(tenant, slugKey: tenant?.slug, idKey: id)
        return tenant
    }

    /// Drops what is cached for this tenant (after a status change, purge or creation).
    public func invalidate(id: String, slug: String) {
        byID[id] = nil
        bySlug[slug] = nil
    }

    public func invalidateAll() {
        byID.removeAll()
        bySlug.removeAll()
    }

    private func store(_ tenant: Tenant?, slugKey: String?, idKey: String?) {
        if bySlug.count + byID.count >= maximumEntries { invalidateAll() }
        let entry = Entry(tenant: tenant, expires: ContinuousClock.now + (tenant == nil ? missTimeToLive : timeToLive))
        if let slugKey { bySlug[slugKey] = entry }
        if let idKey { byID[idKey] = entry }
    }
}
