import Hummingbird
import LeopardCommerce

/// `GET /api/store`: the resolved store, read from its own database.
struct StoreInfoRoutes {
    struct StoreInfo: Encodable {
        let id: String
        let slug: String
        let name: String
        let currency: String
    }

    func register(on routes: StoreRouter) {
        routes.anyone.get("/api/store") { _, context in
            let (tenant, database) = (context.tenant, context.database)
            let settings = try await StoreSettings.load(from: database)
            return try StoreInfo(
                id: tenant.id,
                slug: tenant.slug,
                name: settings?.name ?? tenant.storeName,
                currency: settings?.currency ?? "USD"
            ).jsonResponse()
        }
    }
}
