import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import LeopardWeb

/// Webhook endpoints in the admin (the `webhooks` permission), through the same `WebhookSetup`
/// as `/api/webhooks`: add one (its secret shown once), delete it, read its delivery log and
/// send a delivery again.
struct AdminWebhookPages {
    let routes: AdminRoutes

    var setup: WebhookSetup { WebhookSetup(services: routes.services.platform) }

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/admin/webhooks") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            return try await list(visit, cursor: request.queryDictionary["cursor"], values: [:], chosen: [], errors: FieldMessages())
        }
        router.post("/admin/webhooks") { request, context in
            let visit = try await routes.visit(request, context)
            guard let staff = visit.staff else { return visit.signIn() }
            let fields = try await visit.form()
            let values = ["url": String((fields["url"] ?? "").prefix(2000)), "description": String((fields["description"] ?? "").prefix(200))]
            let events = Array(fields.values("events").prefix(WebhookTopic.allCases.count))
            let created = await visit.attempt {
                try await setup.create(
                    url: values["url"] ?? "", topics: events, description: fields.text("description").map { String($0.prefix(200)) }, by: staff,
                    tenantID: visit.tenantID, database: visit.database)
            }
            switch created {
            case .success(let created): return try await list(visit, cursor: nil, values: [:], chosen: [], errors: FieldMessages(), created: created)
            case .failure(let problem):
                let errors = FieldMessages(form: problem) { String($0.split(separator: ".").first ?? Substring($0)) }
                return try await list(visit, cursor: nil, values: values, chosen: Set(events), errors: errors, status: problem.pageStatus)
            }
        }
        router.post("/admin/webhooks/:webhookId/delete") { request, context in
            let visit = try await routes.visit(request, context)
            guard let staff = visit.staff else { return visit.signIn() }
            _ = try await visit.form()
            let id = try context.parameters.require("webhookId")
            guard try await setup.endpoints(visit.database).delete(id: id, actor: staff.actor) else { throw Problem.notFound("There is no such endpoint.") }
            return routes.pages.redirect(to: "/admin/webhooks?done=webhook-removed")
        }
        router.get("/admin/webhooks/:webhookId") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let query = request.queryDictionary
            return try await endpoint(visit, id: try context.parameters.require("webhookId"), status: query["status"], cursor: query["cursor"])
        }
        router.post("/admin/webhooks/:webhookId/deliveries/:deliveryId/redeliver") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            _ = try await visit.form()
            let id = try context.parameters.require("webhookId")
            let sent = await visit.attempt {
                try await setup.redeliver(
                    endpointID: id, deliveryID: try context.parameters.require("deliveryId"), tenantID: visit.tenantID, database: visit.database)
            }
            if case .failure(let problem) = sent {
                return try await endpoint(visit, id: id, status: nil, cursor: nil, error: problem.detail ?? problem.title, status: problem.pageStatus)
            }
            return routes.pages.redirect(to: "/admin/webhooks/\(id)?done=redelivered")
        }
    }

    func list(
        _ visit: AdminVisit, cursor: String?, values: [String: String], chosen: Set<String>, errors: FieldMessages,
        created: WebhookEndpoints.Created? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        // A cursor that cannot be read starts from the first page.
        let request = (try? PageRequest(limit: "50", cursor: cursor)) ?? PageRequest(limit: 50)
        let page = try await setup.endpoints(visit.database).list(page: request)
        let model = WebhooksPage(page: page, values: values, chosen: chosen, errors: errors, created: created)
        return try visit.page("admin/webhooks", model, title: "Webhooks", section: "/admin/webhooks", status: status)
    }

    func endpoint(
        _ visit: AdminVisit, id: String, status filter: String?, cursor: String?, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let endpoints = setup.endpoints(visit.database)
        guard id.utf8.count <= 64, let endpoint = try await endpoints.find(id: id) else { throw Problem.notFound("There is no such endpoint.") }
        let wanted = filter.flatMap(WebhookDelivery.Status.init(rawValue:))
        // A cursor that cannot be read starts from the newest deliveries.
        let request = (try? PageRequest(limit: "50", cursor: cursor)) ?? PageRequest(limit: 50)
        guard let deliveries = try await endpoints.deliveries(endpointID: id, status: wanted, page: request) else {
            throw Problem.notFound("There is no such endpoint.")
        }
        let model = WebhookPage(endpoint: endpoint, deliveries: deliveries, status: wanted?.rawValue, error: error)
        return try visit.page("admin/webhook", model, title: "Webhook endpoint", section: "/admin/webhooks", status: status)
    }
}
