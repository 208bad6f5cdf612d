import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// One line of a store's audit log: who did what, to what, and when.
public struct AuditEntry: Sendable, Encodable, Equatable {
    public let id: String
    /// `staff:owner@example.com`, `api_key:key_…` or `system`.
    public let actor: String
    /// What happened, as `noun.verb`: `settings.updated`, `refund.created`, `role.created`…
    public let action: String
    /// The id of what it happened to, when there is one.
    public let subject: String?
    public let summary: String
    public let createdAt: String
}

/// A store's audit log, in its own database. Entries are written in the transaction of the
/// change they describe, so a change that rolls back leaves no entry and none is missed.
public struct AuditLog: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    /// Records an entry in the caller's transaction. The summary is cut to 500 characters.
    @discardableResult
    public static func record(
        actor: String, action: String, subject: String?, summary: String, now: Date = Date(), on sql: any SQLDatabase
    ) async throws -> AuditEntry {
        let entry = AuditEntry(
            id: Identifier.make("aud", date: now), actor: String(actor.prefix(300)), action: action, subject: subject.map { String($0.prefix(100)) },
            summary: String(summary.prefix(500)), createdAt: now.stamp)
        try await sql.raw(
            """
            INSERT INTO audit_events (id, actor, action, subject, summary, created_at)
            VALUES (\(bind: entry.id), \(bind: entry.actor), \(bind: entry.action), \(bind: entry.subject), \(bind: entry.summary), \(bind: entry.createdAt))
            """
        ).run()
        return entry
    }

    /// Records an entry in a transaction of its own, for changes whose service has none to share.
    public func record(actor: String, action: String, subject: String?, summary: String, now: Date = Date()) async throws {
        try await database.write { sql in
            try await Self.record(actor: actor, action: action, subject: subject, summary: summary, now: now, on: sql)
        }
    }

    /// Newest first; `action` keeps entries whose action is it or starts with it and a dot
    /// (`refund` keeps `refund.created`).
    public func list(action: String? = nil, page: PageRequest) async throws -> Page<AuditEntry> {
        try await database.read { sql in
            var statement: SQLQueryString = "SELECT id, actor, action, subject, summary, created_at FROM audit_events WHERE 1 = 1"
            if let action { statement += " AND (action = \(bind: action) OR action LIKE \(bind: Self.likePrefix(action)) ESCAPE '\\')" }
            if let after = page.after { statement += " AND id < \(bind: after)" }
            statement += " ORDER BY id DESC LIMIT \(bind: page.limit + 1)"
            let entries = try await sql.raw(statement).all().map { row in
                AuditEntry(
                    id: try row.decode(column: "id", as: String.self),
                    actor: try row.decode(column: "actor", as: String.self),
                    action: try row.decode(column: "action", as: String.self),
                    subject: try row.decode(column: "subject", as: String?.self),
                    summary: try row.decode(column: "summary", as: String.self),
                    createdAt: try row.decode(column: "created_at", as: String.self))
            }
            return Page(fetched: entries, limit: page.limit, position: \.id)
        }
    }

    static func likePrefix(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + ".%"
    }
}
