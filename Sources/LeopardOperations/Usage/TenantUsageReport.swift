import LeopardCommerce
import LeopardPlatform

/// What one store uses and does, for the operator: requests in the last 24 hours and 30 days,
/// orders, revenue, products, customers, database and image bytes, last activity.
public struct TenantUsageReport: Encodable, Sendable {
    struct Requests: Encodable, Sendable {
        let last24Hours: Int
        let last30Days: Int
    }

    struct Revenue: Encodable, Sendable {
        public let amount: Int
        let currency: String
    }

    public let tenantId: String
    public let slug: String
    let status: String
    let requests: Requests
    let orders: Int
    let revenue: Revenue
    let products: Int
    let customers: Int
    let databaseBytes: Int
    let imageBytes: Int
    let lastActivityAt: String?
    /// The estimated monthly cost, at the operator's prices.
    let cost: CostEstimate

    /// Reads the store's own figures from its database, and its requests and files from the platform's.
    public static func load(_ tenant: Tenant, services: PlatformServices) async throws -> TenantUsageReport {
        let store = try await services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { try await StoreUsage.load(from: $0) }
        let requests = try await services.usage.summary(tenantID: tenant.id)
        let images = services.media.bytes(tenantID: tenant.id)
        let cost = CostEstimate(
            bytes: store.databaseBytes + images, requests30Days: requests.last30Days, busySeconds30Days: requests.busySeconds30Days,
            openSeconds30Days: requests.openSeconds30Days,
            prices: services.configuration.costs)
        return TenantUsageReport(
            tenantId: tenant.id, slug: tenant.slug, status: tenant.status.rawValue,
            requests: Requests(last24Hours: requests.last24Hours, last30Days: requests.last30Days), orders: store.orders,
            revenue: Revenue(amount: store.revenue, currency: store.currency), products: store.products, customers: store.customers,
            databaseBytes: store.databaseBytes, imageBytes: images,
            lastActivityAt: [requests.lastRequestAt, store.lastOrderAt].compactMap { $0 }.max(), cost: cost)
    }
}
