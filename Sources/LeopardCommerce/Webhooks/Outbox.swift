import Foundation
import LeopardCore
import SQLKit

/// Events for merchants' webhook endpoints, written in the transaction that makes the change:
/// the event and one delivery per subscribed endpoint commit or roll back with it, so a change
/// is never announced without happening, nor happens without being announced. A store with no
/// endpoint listening to a topic pays one index look-up and writes nothing.
public enum Outbox {
    /// Publishes `topic` about `objectID`; `payload` (the object as the API shows it) is built
    /// only when some endpoint listens. Returns the event id, or nil when nobody listens.
    @discardableResult
    public static func publish(
        _ topic: WebhookTopic, objectID: String, now: Date, on sql: any SQLDatabase,
        payload: () async throws -> (any Encodable)?
    ) async throws -> String? {
        try await publish(topic, objectID: objectID, to: try await subscribers(of: topic, on: sql), now: now, on: sql, payload: payload)
    }

    /// The endpoints subscribed to `topic`, for a caller that reads them before it takes its
    /// locks and publishes after.
    static func subscribers(of topic: WebhookTopic, on sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw("SELECT endpoint_id FROM webhook_subscriptions WHERE topic = \(bind: topic.rawValue)").all()
            .map { try $0.decode(column: "endpoint_id", as: String.self) }
    }

    /// Publishes to endpoints read earlier in the same transaction (`subscribers(of:on:)`).
    @discardableResult
    static func publish(
        _ topic: WebhookTopic, objectID: String, to endpoints: [String], now: Date, on sql: any SQLDatabase,
        payload: () async throws -> (any Encodable)?
    ) async throws -> String? {
        guard !endpoints.isEmpty, let object = try await payload() else { return nil }
        let eventID = Identifier.make("evt", date: now)
        let stamp = now.stamp
        try await sql.raw(
            """
            INSERT INTO outbox_events (id, topic, object_id, payload_json, created_at)
            VALUES (\(bind: eventID), \(bind: topic.rawValue), \(bind: objectID), \(bind: try JSONText.encode(object)), \(bind: stamp))
            """
        ).run()
        let giveUp = now.addingTimeInterval(WebhookRetry.window).stamp
        for endpoint in endpoints {
            // Only while the endpoint is still subscribed: a caller that read `endpoints` before
            // waiting for its locks may find one deleted since (its deliveries' key would fail).
            try await sql.raw(
                """
                INSERT INTO webhook_deliveries (id, event_id, endpoint_id, status, attempts, next_attempt_at, give_up_at, created_at)
                SELECT CAST(\(bind: Identifier.make("whd", date: now)) AS TEXT), CAST(\(bind: eventID) AS TEXT), s.endpoint_id, 'pending', 0,
                    CAST(\(bind: stamp) AS TEXT), CAST(\(bind: giveUp) AS TEXT), CAST(\(bind: stamp) AS TEXT)
                FROM webhook_subscriptions s WHERE s.endpoint_id = \(bind: endpoint) AND s.topic = \(bind: topic.rawValue)
                """
            ).run()
        }
        return eventID
    }

    /// `order.*` for an order, read in the caller's transaction.
    static func publishOrder(_ topic: WebhookTopic, orderID: String, now: Date, on sql: any SQLDatabase) async throws {
        try await publish(topic, objectID: orderID, now: now, on: sql) {
            try await OrderReader(sql: sql).orders(ids: [orderID], withEvents: false).first
        }
    }
}

/// When failed deliveries are tried again: after 1 minute, then twice as long each time (at
/// most 4 hours apart), for 24 hours after the event; then the delivery is given up.
public enum WebhookRetry {
    public static let window: TimeInterval = 24 * 3600

    public static func delay(afterAttempt attempt: Int) -> TimeInterval {
        min(60 * pow(2, Double(max(0, min(attempt, 20) - 1))), 4 * 3600)
    }
}
