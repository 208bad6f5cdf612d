import LeopardCommerce
import LeopardPlatform

/// What one store uses and does, for the operator: requests in the last 24 hours and 30 days,
/// orders, revenue, products, customers, database and image bytes, last activity.
public struct TenantUsageReport: Encodable, Sendable {
    public struct Requests: Encodable, Sendable {
        public let last24Hours: Int
        public let last30Days: Int
    }

    public struct Revenue: Encodable, Sendable {
        public let amount: Int
        public let currency: String
    }

    public let tenantId: String
    public let slug: String
    public let status: String
    public let requests: Requests
    public let orders: Int
    public let revenue: Revenue
    public let products: Int
    public let customers: Int
    public let databaseBytes: Int
    public let imageBytes: Int
    public let lastActivityAt: String?

    /// Reads the store's own figures from its database, and its requests and files from the platform's.
    public static func load(_ tenant: Tenant, services: PlatformServices) async throws -> TenantUsageReport {
        let store = try await services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { try await StoreUsage.load(from: $0) }
        let requests = try await services.usage.summary(tenantID: tenant.id)
        return TenantUsageReport(
            tenantId: tenant.id, slug: tenant.slug, status: tenant.status.rawValue,
            requests: Requests(last24Hours: requests.last24Hours, last30Days: requests.last30Days), orders: store.orders,
            revenue: Revenue(amount: store.revenue, currency: store.currency), products: store.products, customers: store.customers,
            databaseBytes: store.databaseBytes, imageBytes: services.media.bytes(tenantID: tenant.id),
            lastActivityAt: [requests.lastRequestAt, store.lastOrderAt].compactMap { $0 }.max())
    }
}
