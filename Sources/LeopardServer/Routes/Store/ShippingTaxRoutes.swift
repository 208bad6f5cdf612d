import Hummingbird
import LeopardCommerce
import LeopardCore

/// Staff set where the store ships and what tax it charges: `/api/shipping-zones` (places
/// and methods) and `/api/tax-rates` (by country, region and tax class).
struct ShippingTaxRoutes {
    func register(on routes: StoreRouter) {
        routes.staff(.settings).post("/api/shipping-zones") { request, context in
            let input = try await request.decodeJSON(ShippingZoneInput.self, context: context)
            return try await ShippingZones(database: context.database).create(input, actor: context.staff.actor).jsonResponse(status: .created)
        }
        routes.staff(.settings).get("/api/shipping-zones") { request, context in
            let query = request.queryDictionary
            return try await ShippingZones(database: context.database).list(page: try PageRequest(limit: query["limit"], cursor: query["cursor"]))
                .jsonResponse()
        }
        routes.staff(.settings).get("/api/shipping-zones/:zoneId") { _, context in
            let id = try context.parameters.require("zoneId")
            guard let zone = try await ShippingZones(database: context.database).find(id: id) else { throw Self.noZone(id) }
            return try zone.jsonResponse()
        }
        routes.staff(.settings).put("/api/shipping-zones/:zoneId") { request, context in
            let input = try await request.decodeJSON(ShippingZoneInput.self, context: context)
            return try await ShippingZones(database: context.database).replace(id: try context.parameters.require("zoneId"), input, actor: context.staff.actor)
                .jsonResponse()
        }
        routes.staff(.settings).delete("/api/shipping-zones/:zoneId") { _, context in
            let id = try context.parameters.require("zoneId")
            guard try await ShippingZones(database: context.database).delete(id: id, actor: context.staff.actor) else { throw Self.noZone(id) }
            return Response(status: .noContent)
        }
        registerTax(on: routes)
    }

    func registerTax(on routes: StoreRouter) {
        routes.staff(.settings).post("/api/tax-rates") { request, context in
            let input = try await request.decodeJSON(TaxRates.Input.self, context: context)
            return try await TaxRates(database: context.database).create(input, actor: context.staff.actor).jsonResponse(status: .created)
        }
        routes.staff(.settings).get("/api/tax-rates") { request, context in
            let query = request.queryDictionary
            return try await TaxRates(database: context.database).list(page: try PageRequest(limit: query["limit"], cursor: query["cursor"])).jsonResponse()
        }
        routes.staff(.settings).delete("/api/tax-rates/:rateId") { _, context in
            let id = try context.parameters.require("rateId")
            guard try await TaxRates(database: context.database).delete(id: id, actor: context.staff.actor) else {
                throw Problem.notFound("There is no tax rate \(id.prefix(64)).")
            }
            return Response(status: .noContent)
        }
    }

    static func noZone(_ id: String) -> Problem { Problem.notFound("There is no shipping zone \(id.prefix(64)).") }
}
