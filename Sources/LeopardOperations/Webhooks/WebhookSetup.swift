import Foundation
import LeopardCommerce
import LeopardCore
import LeopardPlatform
import LeopardStorage

/// A merchant's webhook endpoints as the API and the admin both change them: adding one (the
/// staff member must be allowed to read what each topic sends; the worker learns of the store
/// first, so it always looks into it) and sending a delivery again at once.
public struct WebhookSetup: Sendable {
    public let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }

    public func endpoints(_ database: any DatabaseHandle) -> WebhookEndpoints {
        WebhookEndpoints(database: database, secrets: services.secrets)
    }

    public func create(
        url: String, topics: [String], description: String?, by caller: StaffPrincipal, tenantID: String, database: any DatabaseHandle
    ) async throws -> WebhookEndpoints.Created {
        // An endpoint receives whole orders or products: reading them needs that permission too.
        for topic in Set(topics.compactMap(WebhookTopic.init(rawValue:))) { try caller.require(anyOf: [topic.readPermission]) }
        try await WebhookTenants(database: services.platformDatabase).add(tenantID: tenantID)
        let created = try await endpoints(database).create(
            url: url, topics: topics, description: description, allowPrivateHosts: services.configuration.allowPrivateWebhookTargets,
            actor: caller.actor)
        await services.webhookDispatcher.watch(tenantID: tenantID)
        return created
    }

    /// Queues the delivery again, due now, and wakes the worker.
    public func redeliver(endpointID: String, deliveryID: String, tenantID: String, database: any DatabaseHandle) async throws -> WebhookDelivery {
        let delivery = try await endpoints(database).redeliver(endpointID: endpointID, deliveryID: deliveryID)
        await services.webhookDispatcher.nudge(tenantID: tenantID)
        return delivery
    }
}
