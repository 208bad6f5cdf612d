import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// The delivery side of a store's outbox. Workers claim due deliveries with a lease (one
/// conditional update, `SKIP LOCKED` on PostgreSQL), so that two workers never send the same
/// delivery at once and a worker that dies mid-send leaves it to be tried again when the lease
/// runs out. A delivery acknowledged with a 2xx is marked succeeded and never sent again.
public struct WebhookQueue: Sendable {
    public let database: any DatabaseHandle

    /// Longer than a delivery can take (10 s timeout), so a lease never ends during a send.
    public static let lease: TimeInterval = 60

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    /// A claimed delivery with what it takes to send it.
    public struct Job: Sendable {
        public let deliveryID: String
        public let endpointID: String
        public let url: String
        public let sealedSecret: String
        public let eventID: String
        public let topic: String
        public let payloadJSON: String
        public let eventCreatedAt: String
        /// This attempt's number, from 1.
        public let attempt: Int
    }

    /// Claims up to `limit` deliveries that are due at `now`.
    public func claim(now: Date, limit: Int = 20) async throws -> [Job] {
        let skipLocked: SQLQueryString = database.kind == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let stamp = now.stamp
        // A read first: most passes find nothing due, and need not queue for the writer.
        let due = try await database.read { sql in
            try await sql.raw("SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= \(bind: stamp) LIMIT 1").first() != nil
        }
        guard due else { return [] }
        return try await database.write { sql in
            let claimed = try await sql.raw(
                """
                UPDATE webhook_deliveries SET lease_until = \(bind: now.addingTimeInterval(Self.lease).stamp), attempts = attempts + 1
                WHERE id IN (
                    SELECT id FROM webhook_deliveries
                    WHERE status = 'pending' AND next_attempt_at <= \(bind: stamp) AND (lease_until IS NULL OR lease_until <= \(bind: stamp))
                    ORDER BY next_attempt_at, id LIMIT \(bind: limit)\(skipLocked)
                )
                RETURNING id, attempts
                """
            ).all()
            guard !claimed.isEmpty else { return [] }
            var attempts: [String: Int] = [:]
            for row in claimed { attempts[try row.decode(column: "id", as: String.self)] = try row.decode(column: "attempts", as: Int.self) }
            let rows = try await sql.raw(
                """
                SELECT d.id, d.endpoint_id, w.url, w.secret_sealed, e.id AS event_id, e.topic, e.payload_json, e.created_at
                FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id JOIN outbox_events e ON e.id = d.event_id
                WHERE d.id IN (\(binds: Array(attempts.keys)))
                ORDER BY d.next_attempt_at, d.id
                """
            ).all()
            return try rows.map { row in
                let id = try row.decode(column: "id", as: String.self)
                return Job(
                    deliveryID: id,
                    endpointID: try row.decode(column: "endpoint_id", as: String.self),
                    url: try row.decode(column: "url", as: String.self),
                    sealedSecret: try row.decode(column: "secret_sealed", as: String.self),
                    eventID: try row.decode(column: "event_id", as: String.self),
                    topic: try row.decode(column: "topic", as: String.self),
                    payloadJSON: try row.decode(column: "payload_json", as: String.self),
                    eventCreatedAt: try row.decode(column: "created_at", as: String.self),
                    attempt: attempts[id] ?? 1
                )
            }
        }
    }

    public enum Outcome: Sendable, Equatable {
        /// The endpoint answered 2xx.
        case acknowledged(statusCode: Int)
        /// Another status, a timeout or a connection error.
        case failed(statusCode: Int?, error: String)
    }

    /// Records an attempt: acknowledged deliveries are done; failed ones are due again after the
    /// backoff, or given up once that would be past their 24 hours.
    @discardableResult
    public func complete(_ job: Job, outcome: Outcome, now: Date) async throws -> WebhookDelivery.Status {
        let stamp = now.stamp
        return try await database.write { sql in
            switch outcome {
            case .acknowledged(let code):
                try await sql.raw(
                    """
                    UPDATE webhook_deliveries SET status = 'succeeded', lease_until = NULL, last_status_code = \(bind: code), last_error = NULL,
                        last_attempt_at = \(bind: stamp), delivered_at = \(bind: stamp)
                    WHERE id = \(bind: job.deliveryID)
                    """
                ).run()
                return .succeeded
            case .failed(let code, let error):
                let next = now.addingTimeInterval(WebhookRetry.delay(afterAttempt: job.attempt)).stamp
                let row = try await sql.raw(
                    """
                    UPDATE webhook_deliveries SET lease_until = NULL, last_status_code = \(bind: code), last_error = \(bind: String(error.prefix(500))),
                        last_attempt_at = \(bind: stamp), next_attempt_at = \(bind: next),
                        status = CASE WHEN give_up_at < \(bind: next) THEN 'failed' ELSE 'pending' END
                    WHERE id = \(bind: job.deliveryID) AND status = 'pending'
                    RETURNING status
                    """
                ).first()
                return WebhookDelivery.Status(rawValue: try row?.decode(column: "status", as: String.self) ?? "failed") ?? .failed
            }
        }
    }

    /// When the next pending delivery falls due, if there is one.
    public func nextDue() async throws -> Date? {
        try await database.read { sql in
            try await sql.raw("SELECT MIN(next_attempt_at) AS due FROM webhook_deliveries WHERE status = 'pending'").first()?
                .decode(column: "due", as: String?.self).flatMap(Timestamp.date)
        }
    }
}
