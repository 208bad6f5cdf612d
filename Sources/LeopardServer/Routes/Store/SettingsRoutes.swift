import Hummingbird
import LeopardCommerce
import LeopardCore

/// `GET`/`PUT /api/settings`: the store's name, currency, tax, shipping, contact, logo, theme.
struct SettingsRoutes {
    func register(on router: Router<AppContext>) {
        router.get("/api/settings") { _, context in
            _ = try context.requireStaff()
            return try StoreSettingsView(try await context.storeSettings()).jsonResponse()
        }
        router.put("/api/settings", use: save)
        router.patch("/api/settings", use: save)
    }

    @Sendable func save(_ request: Request, context: AppContext) async throws -> Response {
        _ = try context.requireStaff()
        let input = try await request.decodeJSON(StoreSettingsInput.self, context: context)
        return try StoreSettingsView(try await StoreSettings.update(with: input, database: try context.store().database)).jsonResponse()
    }
}
