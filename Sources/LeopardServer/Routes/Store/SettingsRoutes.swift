import Hummingbird
import LeopardCommerce
import LeopardCore

/// `GET`/`PUT /api/settings`: the store's name, currency, tax, shipping, contact, logo, theme.
struct SettingsRoutes {
    func register(on routes: StoreRouter) {
        routes.staff(.settings).get("/api/settings") { _, context in
            return try StoreSettingsView(try await context.storeSettings()).jsonResponse()
        }
        routes.staff(.settings).put("/api/settings", use: save)
        routes.staff(.settings).patch("/api/settings", use: save)
    }

    @Sendable func save(_ request: Request, context: StaffContext) async throws -> Response {
        let input = try await request.decodeJSON(StoreSettingsInput.self, context: context)
        return try StoreSettingsView(try await StoreSettings.update(with: input, database: context.database, actor: context.staff.actor)).jsonResponse()
    }
}
