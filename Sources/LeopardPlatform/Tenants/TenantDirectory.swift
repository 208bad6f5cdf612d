import Foundation

/// The tenant look-up cache for request routing: slug or id → tenant, of any status (the caller
/// decides between 404 and 503). Entries live `timeToLive` at most, and are dropped at once when
/// this process changes a tenant, and when the change feed announces a change made elsewhere; misses are cached briefly so that unknown hosts cannot
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
    /// Verified custom domain → tenant id (nil: no store there). The tenant itself comes from
    /// `byID`, so a status change shows on every host at once.
    private var byDomain: [String: (tenantID: String?, expires: ContinuousClock.Instant)] = [:]
    private let domains: DomainRegistry
    /// Bumped by every invalidation: a look-up that started before one does not store its
    /// (possibly stale) answer, so a suspend cannot be undone by a read that was in flight.
    private var generation: UInt64 = 0
    private let maximumEntries: Int

    public init(registry: TenantRegistry, timeToLive: Duration = .seconds(30), missTimeToLive: Duration = .seconds(2), maximumEntries: Int = 100_000) {
        self.registry = registry
        self.domains = DomainRegistry(database: registry.database)
        self.timeToLive = timeToLive
        self.missTimeToLive = missTimeToLive
        self.maximumEntries = maximumEntries
    }

    public func tenant(slug: String) async throws -> Tenant? {
        let now = ContinuousClock.now
        if let entry = bySlug[slug], entry.expires > now { return entry.tenant }
        let started = generation
        let tenant = try await registry.find(slug: slug)
        if generation == started { store(tenant, slugKey: slug, idKey: tenant?.id) }
        return tenant
    }

    public func tenant(id: String) async throws -> Tenant? {
        let now = ContinuousClock.now
        if let entry = byID[id], entry.expires > now { return entry.tenant }
        let started = generation
        let tenant = try await registry.find(id: id)
        if generation == started { store(tenant, slugKey: tenant?.slug, idKey: id) }
        return tenant
    }

    /// The store a verified custom domain serves.
    public func tenant(domain: String) async throws -> Tenant? {
        let now = ContinuousClock.now
        let tenantID: String?
        if let entry = byDomain[domain], entry.expires > now {
            tenantID = entry.tenantID
        } else {
            let started = generation
            tenantID = try await domains.verifiedTenantID(hostname: domain)
            if generation == started {
                if byDomain.count >= maximumEntries {
                    // Names nobody holds go first, so a flood of made-up hosts cannot push out
                    // the stores' own domains.
                    byDomain = byDomain.filter { $0.value.tenantID != nil }
                    if byDomain.count >= maximumEntries { byDomain.removeAll() }
                }
                byDomain[domain] = (tenantID, now + (tenantID == nil ? missTimeToLive : timeToLive))
            }
        }
        guard let tenantID else { return nil }
        return try await tenant(id: tenantID)
    }

    /// Drops what is cached for a custom domain (verified, removed, or its store purged).
    public func invalidate(domain: String) {
        generation &+= 1
        byDomain[domain] = nil
    }

    /// Drops what is cached for this tenant (after a status change, purge or creation).
    public func invalidate(id: String, slug: String) {
        generation &+= 1
        byID[id] = nil
        bySlug[slug] = nil
    }

    /// Drops everything (a change feed that (re)connected may have missed changes meanwhile).
    public func invalidateAll() {
        generation &+= 1
        byID.removeAll()
        bySlug.removeAll()
        byDomain.removeAll()
    }

    /// Drops what one announced change makes stale.
    public func invalidate(_ change: TenantChange) {
        switch change {
        case .tenant(let id, let slug): invalidate(id: id, slug: slug)
        case .domain(let hostname): invalidate(domain: hostname)
        }
    }

    private func store(_ tenant: Tenant?, slugKey: String?, idKey: String?) {
        if bySlug.count + byID.count >= maximumEntries {
            byID.removeAll()
            bySlug.removeAll()
        }
        let entry = Entry(tenant: tenant, expires: ContinuousClock.now + (tenant == nil ? missTimeToLive : timeToLive))
        if let slugKey { bySlug[slugKey] = entry }
        if let idKey { byID[idKey] = entry }
    }
}
