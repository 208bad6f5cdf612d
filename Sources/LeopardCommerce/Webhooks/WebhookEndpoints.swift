import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// A store's webhook endpoints and their deliveries log. Signing secrets are sealed with the
/// platform key at rest and shown once, when the endpoint is made.
public struct WebhookEndpoints: Sendable {
    public let database: any DatabaseHandle
    public let secrets: SecretBox

    public static let maximumEndpoints = 20

    public init(database: any DatabaseHandle, secrets: SecretBox) {
        self.database = database
        self.secrets = secrets
    }

    public struct Created: Sendable, Encodable {
        public let endpoint: WebhookEndpoint
        /// `whsec_…`: verifies `X-Leopard-Signature`. Shown only here.
        public let secret: String
    }

    public func create(url: String, topics: [String], description: String?, allowPrivateHosts: Bool, actor: String, now: Date = Date()) async throws -> Created
    {
        var errors: [Problem.FieldError] = []
        var checkedURL = ""
        do { checkedURL = try WebhookURL.validate(url, allowPrivateHosts: allowPrivateHosts) } catch { errors += error.errors }
        var chosen: [WebhookTopic] = []
        if topics.isEmpty { errors.append(.init(field: "events", message: "must name at least one event")) }
        for (index, name) in topics.enumerated() {
            guard let topic = WebhookTopic(rawValue: name) else {
                errors.append(.init(field: "events.\(index)", message: "must be one of " + WebhookTopic.allCases.map(\.rawValue).joined(separator: ", ")))
                continue
            }
            if !chosen.contains(topic) { chosen.append(topic) }
        }
        let description = (description ?? "").trimmingWhitespace()
        if description.count > 200 { errors.append(.init(field: "description", message: "must be at most 200 characters")) }
        guard errors.isEmpty else { throw Problem.validation(errors) }

        let secret = "whsec_" + SecureToken.make()
        let sealed = try secrets.seal(secret)
        let endpoint = WebhookEndpoint(id: Identifier.make("whk", date: now), url: checkedURL, description: description, topics: chosen, createdAt: now.stamp)
        let topicsText = chosen.map(\.rawValue).joined(separator: " ")
        try await database.write { sql in
            let count = try await sql.raw("SELECT COUNT(*) AS n FROM webhook_endpoints").first()?.decode(column: "n", as: Int.self) ?? 0
            guard count < Self.maximumEndpoints else { throw Problem.conflict("A store has at most \(Self.maximumEndpoints) webhook endpoints.") }
            try await sql.raw(
                """
                INSERT INTO webhook_endpoints (id, url, description, secret_sealed, topics, created_at)
                VALUES (\(bind: endpoint.id), \(bind: endpoint.url), \(bind: description), \(bind: sealed), \(bind: topicsText), \(bind: endpoint.createdAt))
                """
            ).run()
            for topic in endpoint.topics {
                try await sql.raw("INSERT INTO webhook_subscriptions (topic, endpoint_id) VALUES (\(bind: topic.rawValue), \(bind: endpoint.id))").run()
            }
            try await AuditLog.record(
                actor: actor, action: "webhook.created", subject: endpoint.id, summary: "Added a webhook to \(endpoint.url) for \(topicsText)", now: now,
                on: sql)
        }
        return Created(endpoint: endpoint, secret: secret)
    }

    public func list(page: PageRequest) async throws -> Page<WebhookEndpoint> {
        let rows = try await database.read { sql in
            var statement: SQLQueryString = "SELECT id, url, description, topics, created_at FROM webhook_endpoints"
            if let after = page.after { statement += " WHERE id > \(bind: after)" }
            statement += " ORDER BY id LIMIT \(bind: page.limit + 1)"
            return try await sql.raw(statement).all()
        }
        return Page(fetched: try rows.map(Self.endpoint), limit: page.limit, position: { $0.id })
    }

    public func find(id: String) async throws -> WebhookEndpoint? {
        try await database.read { sql in
            try await sql.raw("SELECT id, url, description, topics, created_at FROM webhook_endpoints WHERE id = \(bind: id)").first().map(Self.endpoint)
        }
    }

    /// Deletes an endpoint with its subscriptions and deliveries (pending ones are not sent).
    public func delete(id: String, actor: String, now: Date = Date()) async throws -> Bool {
        try await database.write { sql in
            guard let row = try await sql.raw("DELETE FROM webhook_endpoints WHERE id = \(bind: id) RETURNING url").first() else { return false }
            let url = try row.decode(column: "url", as: String.self)
            try await AuditLog.record(actor: actor, action: "webhook.deleted", subject: id, summary: "Deleted the webhook to \(url)", now: now, on: sql)
            return true
        }
    }

    static let deliveryColumns: SQLQueryString = """
        SELECT d.id, d.endpoint_id, d.event_id, e.topic, d.status, d.attempts, d.next_attempt_at, d.last_status_code, d.last_error,
               d.last_attempt_at, d.delivered_at, d.created_at
        FROM webhook_deliveries d JOIN outbox_events e ON e.id = d.event_id
        """

    /// An endpoint's deliveries, newest first; nil when there is no such endpoint.
    public func deliveries(endpointID: String, status: WebhookDelivery.Status?, page: PageRequest) async throws -> Page<WebhookDelivery>? {
        let rows = try await database.read { sql -> [any SQLRow]? in
            guard try await sql.raw("SELECT id FROM webhook_endpoints WHERE id = \(bind: endpointID)").first() != nil else { return nil }
            var statement = Self.deliveryColumns + " WHERE d.endpoint_id = \(bind: endpointID)"
            if let status { statement += " AND d.status = \(bind: status.rawValue)" }
            if let after = page.after { statement += " AND d.id < \(bind: after)" }
            statement += " ORDER BY d.id DESC LIMIT \(bind: page.limit + 1)"
            return try await sql.raw(statement).all()
        }
        guard let rows else { return nil }
        return Page(fetched: try rows.map(Self.delivery), limit: page.limit, position: { $0.id })
    }

    /// Queues a delivery again, now, whatever became of it (a merchant fixed their endpoint).
    public func redeliver(endpointID: String, deliveryID: String, now: Date = Date()) async throws -> WebhookDelivery {
        try await database.write { sql in
            guard
                try await sql.raw(
                    """
                    UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = \(bind: now.stamp), lease_until = NULL,
                        give_up_at = \(bind: now.addingTimeInterval(WebhookRetry.window).stamp)
                    WHERE id = \(bind: deliveryID) AND endpoint_id = \(bind: endpointID) RETURNING id
                    """
                ).first() != nil
            else {
                throw Problem.notFound("There is no delivery \(deliveryID.prefix(64)) for this endpoint.")
            }
            guard let row = try await sql.raw(Self.deliveryColumns + " WHERE d.id = \(bind: deliveryID)").first() else {
                throw Problem.notFound("There is no delivery \(deliveryID.prefix(64)) for this endpoint.")
            }
            return try Self.delivery(row)
        }
    }

    static func endpoint(_ row: any SQLRow) throws -> WebhookEndpoint {
        WebhookEndpoint(
            id: try row.decode(column: "id", as: String.self),
            url: try row.decode(column: "url", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            topics: try row.decode(column: "topics", as: String.self).split(separator: " ").compactMap { WebhookTopic(rawValue: String($0)) },
            createdAt: try row.decode(column: "created_at", as: String.self)
        )
    }

    static func delivery(_ row: any SQLRow) throws -> WebhookDelivery {
        let status = WebhookDelivery.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed
        return WebhookDelivery(
            id: try row.decode(column: "id", as: String.self),
            endpointId: try row.decode(column: "endpoint_id", as: String.self),
            eventId: try row.decode(column: "event_id", as: String.self),
            topic: try row.decode(column: "topic", as: String.self),
            status: status,
            attempts: try row.decode(column: "attempts", as: Int.self),
            nextAttemptAt: status == .pending ? try row.decode(column: "next_attempt_at", as: String.self) : nil,
            lastStatusCode: try row.decode(column: "last_status_code", as: Int?.self),
            lastError: try row.decode(column: "last_error", as: String?.self),
            lastAttemptAt: try row.decode(column: "last_attempt_at", as: String?.self),
            deliveredAt: try row.decode(column: "delivered_at", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: String.self)
        )
    }
}
