import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// A mail in a store's queue, as the owner sees it in the admin and at `GET /api/mail`.
public struct QueuedMail: Sendable, Encodable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case pending, sent, failed
    }

    public let id: String
    public let kind: MailKind
    public let recipient: String
    public let objectId: String?
    /// Known once the mail has been written (its first attempt).
    public let subject: String?
    public let status: Status
    public let attempts: Int
    public let lastError: String?
    public let nextAttemptAt: String?
    public let sentAt: String?
    public let createdAt: String
}

extension MailQueue {
    static let columns = "id, kind, recipient, object_id, subject, status, attempts, last_error, next_attempt_at, sent_at, created_at"

    /// Newest first, optionally only those with `status`.
    public func list(status: QueuedMail.Status?, page: PageRequest) async throws -> Page<QueuedMail> {
        let rows = try await database.read { sql in
            var clauses: [SQLQueryString] = []
            if let status { clauses.append("status = \(bind: status.rawValue)") }
            if let after = page.after { clauses.append("id < \(bind: after)") }
            var statement: SQLQueryString = "SELECT \(unsafeRaw: Self.columns) FROM mail_messages"
            if !clauses.isEmpty { statement += " WHERE " + clauses.joined(separator: " AND ") }
            statement += " ORDER BY id DESC LIMIT \(bind: page.limit + 1)"
            return try await sql.raw(statement).all()
        }
        return Page(fetched: try rows.map(Self.mail), limit: page.limit, position: { $0.id })
    }

    public func find(id: String) async throws -> QueuedMail? {
        try await database.read { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM mail_messages WHERE id = \(bind: id)").first().map(Self.mail)
        }
    }

    /// Puts a failed mail back in the queue, due now, with a new day of tries. A mail that was
    /// sent, or is still being tried, is a 409.
    public func resend(id: String, now: Date = Date()) async throws -> QueuedMail {
        let updated = try await database.write { sql in
            try await sql.raw(
                """
                UPDATE mail_messages SET status = 'pending', attempts = 0, next_attempt_at = \(bind: now.stamp),
                    give_up_at = \(bind: now.addingTimeInterval(Self.window).stamp), lease_until = NULL
                WHERE id = \(bind: id) AND status = 'failed'
                RETURNING id
                """
            ).first() != nil
        }
        guard let mail = try await find(id: id) else { throw Problem.notFound("There is no mail \(id.prefix(64)).") }
        guard updated else { throw Problem.conflict("Only a mail that failed can be sent again; this one is \(mail.status.rawValue).") }
        return mail
    }

    static func mail(_ row: any SQLRow) throws -> QueuedMail {
        let status = try QueuedMail.Status.stored(try row.decode(column: "status", as: String.self))
        return QueuedMail(
            id: try row.decode(column: "id", as: String.self),
            kind: try MailKind.stored(try row.decode(column: "kind", as: String.self)),
            recipient: try row.decode(column: "recipient", as: String.self),
            objectId: try row.decode(column: "object_id", as: String?.self),
            subject: try row.decode(column: "subject", as: String?.self),
            status: status,
            attempts: try row.decode(column: "attempts", as: Int.self),
            lastError: try row.decode(column: "last_error", as: String?.self),
            nextAttemptAt: status == .pending ? try row.decode(column: "next_attempt_at", as: String.self) : nil,
            sentAt: try row.decode(column: "sent_at", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: String.self)
        )
    }
}
