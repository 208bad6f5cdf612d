import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import LeopardPlatform

/// Merchants' webhook endpoints (owner only): create (the signing secret is shown once), list,
/// read, delete, the deliveries log, and redelivery.
struct WebhookRoutes {
    let services: LeopardServices

    struct CreateRequest: Decodable {
        let url: String
        let events: [String]
        let description: String?
    }

    func endpoints(_ context: some StoreRequestContext) throws -> WebhookEndpoints {
        WebhookEndpoints(database: context.database, secrets: services.secrets)
    }

    func register(on routes: StoreRouter) {
        routes.staff(.webhooks).post("/api/webhooks") { request, context in
            let input = try await request.decodeJSON(CreateRequest.self, context: context)
            return try await WebhookSetup(services: services.platform).create(
                url: input.url, topics: input.events, description: input.description, by: context.staff, tenantID: context.tenant.id,
                database: context.database
            ).jsonResponse(status: .created)
        }
        routes.staff(.webhooks).get("/api/webhooks") { request, context in
            let query = request.queryDictionary
            return try await endpoints(context).list(page: try PageRequest(limit: query["limit"], cursor: query["cursor"])).jsonResponse()
        }
        routes.staff(.webhooks).get("/api/webhooks/:webhookId") { _, context in
            let id = try context.parameters.require("webhookId")
            guard let endpoint = try await endpoints(context).find(id: id) else { throw Problem.notFound("There is no webhook endpoint \(id.prefix(64)).") }
            return try endpoint.jsonResponse()
        }
        routes.staff(.webhooks).delete("/api/webhooks/:webhookId") { _, context in
            let id = try context.parameters.require("webhookId")
            guard try await endpoints(context).delete(id: id, actor: context.staff.actor) else {
                throw Problem.notFound("There is no webhook endpoint \(id.prefix(64)).")
            }
            return Response(status: .noContent)
        }
        routes.staff(.webhooks).get("/api/webhooks/:webhookId/deliveries") { request, context in
            let id = try context.parameters.require("webhookId")
            let query = request.queryDictionary
            var status: WebhookDelivery.Status?
            if let text = query["status"] {
                guard let known = WebhookDelivery.Status(rawValue: text) else { throw Problem.invalid("status", "must be pending, succeeded or failed") }
                status = known
            }
            guard
                let page = try await endpoints(context).deliveries(
                    endpointID: id, status: status, page: try PageRequest(limit: query["limit"], cursor: query["cursor"]))
            else {
                throw Problem.notFound("There is no webhook endpoint \(id.prefix(64)).")
            }
            return try page.jsonResponse()
        }
        routes.staff(.webhooks).post("/api/webhooks/:webhookId/deliveries/:deliveryId/redeliver") { _, context in
            try await WebhookSetup(services: services.platform).redeliver(
                endpointID: try context.parameters.require("webhookId"), deliveryID: try context.parameters.require("deliveryId"),
                tenantID: context.tenant.id, database: context.database
            ).jsonResponse(status: .accepted)
        }
    }
}
