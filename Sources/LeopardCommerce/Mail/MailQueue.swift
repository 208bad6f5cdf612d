import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// A store's outgoing mail, written in the transaction that makes the change it tells of (an
/// order, an invite, a reset request), so a mail is never sent about something that did not
/// happen, nor lost when it did. Workers claim due mail with a lease, as the webhook queue does;
/// each mail has one Message-ID for life, so a mail sent again after a crash between the
/// server's acceptance and our record is recognisable as the same mail.
public struct MailQueue: Sendable {
    public let database: any DatabaseHandle

    /// Longer than a send can take (60 s deadline), so a lease never ends during a send.
    public static let lease: TimeInterval = 120
    /// Failed sends are tried again for a day.
    public static let window: TimeInterval = 24 * 3600

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    /// Queues a mail in the caller's transaction. `sealedLink` is the secret part of a link
    /// (sealed with the platform's key), kept only until the mail is sent.
    @discardableResult
    public static func enqueue(
        _ kind: MailKind, to recipient: String, objectID: String? = nil, sealedLink: String? = nil, now: Date, on sql: any SQLDatabase
    ) async throws -> String {
        let id = Identifier.make("mail", date: now)
        try await sql.raw(
            """
            INSERT INTO mail_messages (id, message_id, kind, recipient, object_id, link_sealed, status, attempts, next_attempt_at, give_up_at, created_at)
            VALUES (\(bind: id), \(bind: id + "." + SecureToken.make().prefix(12)), \(bind: kind.rawValue), \(bind: recipient), \(bind: objectID),
                    \(bind: sealedLink), 'pending', 0, \(bind: now.stamp), \(bind: now.addingTimeInterval(Self.window).stamp), \(bind: now.stamp))
            """
        ).run()
        return id
    }

    /// The shopper's confirmation, and the owner's notice when the store wants it, for a new
    /// order; in the checkout's transaction.
    static func orderPlaced(orderID: String, email: String, now: Date, on sql: any SQLDatabase) async throws {
        try await enqueue(.orderConfirmation, to: email, objectID: orderID, now: now, on: sql)
        let owner = try await sql.raw(
            """
            SELECT m.email FROM store_settings s JOIN staff_members m ON m.role = 'owner'
            WHERE s.id = 1 AND s.notify_new_orders <> 0 ORDER BY m.id LIMIT 1
            """
        ).first()
        if let owner { try await enqueue(.newOrder, to: try owner.decode(column: "email", as: String.self), objectID: orderID, now: now, on: sql) }
    }

    /// The owner's low-stock notice for a variant, when the store wants it.
    static func lowStock(variantID: String, now: Date, on sql: any SQLDatabase) async throws {
        let owner = try await sql.raw(
            """
            SELECT m.email FROM store_settings s JOIN staff_members m ON m.role = 'owner'
            WHERE s.id = 1 AND s.notify_low_stock <> 0 ORDER BY m.id LIMIT 1
            """
        ).first()
        if let owner { try await enqueue(.lowStock, to: try owner.decode(column: "email", as: String.self), objectID: variantID, now: now, on: sql) }
    }

    /// The shopper's mail for an order's new status, if that status has one.
    static func orderMoved(orderID: String, to status: OrderStatus, now: Date, on sql: any SQLDatabase) async throws {
        guard let kind = MailKind.order(movedTo: status) else { return }
        guard let row = try await sql.raw("SELECT email FROM orders WHERE id = \(bind: orderID)").first() else { return }
        try await enqueue(kind, to: try row.decode(column: "email", as: String.self), objectID: orderID, now: now, on: sql)
    }

    /// A claimed mail with what it takes to write and send it.
    public struct Job: Sendable {
        public let id: String
        public let messageID: String
        public let kind: MailKind
        public let recipient: String
        public let objectID: String?
        public let sealedLink: String?
        /// This attempt's number, from 1.
        public let attempt: Int
    }

    /// Claims up to `limit` mails due at `now`.
    public func claim(now: Date, limit: Int = 10) async throws -> [Job] {
        let skipLocked: SQLQueryString = database.kind == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let stamp = now.stamp
        // A read first: most passes find nothing due, and need not queue for the writer.
        let due = try await database.read { sql in
            try await sql.raw("SELECT id FROM mail_messages WHERE status = 'pending' AND next_attempt_at <= \(bind: stamp) LIMIT 1").first() != nil
        }
        guard due else { return [] }
        return try await database.write { sql in
            try await sql.raw(
                """
                UPDATE mail_messages SET lease_until = \(bind: now.addingTimeInterval(Self.lease).stamp), attempts = attempts + 1
                WHERE id IN (
                    SELECT id FROM mail_messages
                    WHERE status = 'pending' AND next_attempt_at <= \(bind: stamp) AND (lease_until IS NULL OR lease_until <= \(bind: stamp))
                    ORDER BY next_attempt_at, id LIMIT \(bind: limit)\(skipLocked)
                )
                RETURNING id, message_id, kind, recipient, object_id, link_sealed, attempts
                """
            ).all().map { row in
                Job(
                    id: try row.decode(column: "id", as: String.self),
                    messageID: try row.decode(column: "message_id", as: String.self),
                    kind: try MailKind.stored(try row.decode(column: "kind", as: String.self)),
                    recipient: try row.decode(column: "recipient", as: String.self),
                    objectID: try row.decode(column: "object_id", as: String?.self),
                    sealedLink: try row.decode(column: "link_sealed", as: String?.self),
                    attempt: try row.decode(column: "attempts", as: Int.self)
                )
            }
        }
    }

    /// Hands claimed mail back untried: due at once for the next pass, the attempt not counted.
    public func release(_ jobs: [Job]) async throws {
        guard !jobs.isEmpty else { return }
        try await database.write { sql in
            for job in jobs {
                try await sql.raw(
                    "UPDATE mail_messages SET lease_until = NULL, attempts = attempts - 1 WHERE id = \(bind: job.id) AND status = 'pending' AND attempts > 0"
                ).run()
            }
        }
    }

    public enum Outcome: Sendable, Equatable {
        /// The server accepted it (or the file is written).
        case sent(subject: String)
        /// Not sent; `permanent` when trying again cannot help (the server refused the address,
        /// or the mail's subject is gone).
        case failed(error: String, permanent: Bool, subject: String?)
    }

    /// Records an attempt. A sent mail forgets its link's secret; a failed one is due again
    /// after 1, 2, 4 … minutes (at most an hour apart) until its day is over.
    @discardableResult
    public func complete(_ job: Job, outcome: Outcome, now: Date) async throws -> QueuedMail.Status {
        let stamp = now.stamp
        return try await database.write { sql in
            switch outcome {
            case .sent(let subject):
                try await sql.raw(
                    """
                    UPDATE mail_messages SET status = 'sent', lease_until = NULL, link_sealed = NULL, subject = \(bind: subject), last_error = NULL,
                        sent_at = \(bind: stamp)
                    WHERE id = \(bind: job.id)
                    """
                ).run()
                return .sent
            case .failed(let error, let permanent, let subject):
                let delay = min(60 * pow(2, Double(min(job.attempt, 20) - 1)), 3600)
                let next = now.addingTimeInterval(delay).stamp
                let row = try await sql.raw(
                    """
                    UPDATE mail_messages SET lease_until = NULL, last_error = \(bind: String(error.prefix(500))), next_attempt_at = \(bind: next),
                        subject = COALESCE(\(bind: subject), subject),
                        status = CASE WHEN \(bind: permanent ? 1 : 0) = 1 OR give_up_at < \(bind: next) THEN 'failed' ELSE 'pending' END
                    WHERE id = \(bind: job.id) AND status = 'pending'
                    RETURNING status
                    """
                ).first()
                return try QueuedMail.Status.stored(try row?.decode(column: "status", as: String.self) ?? "failed")
            }
        }
    }

    /// When the next pending mail falls due, if there is one.
    public func nextDue() async throws -> Date? {
        try await database.read { sql in
            try await sql.raw("SELECT MIN(next_attempt_at) AS due FROM mail_messages WHERE status = 'pending'").first()?
                .decode(column: "due", as: String?.self).flatMap(Timestamp.date)
        }
    }
}
