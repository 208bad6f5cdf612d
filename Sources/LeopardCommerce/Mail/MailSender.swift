import Foundation
import SQLKit

/// Queues mail from inside a service's transaction. The secret part of a link (a reset or
/// verification token) is sealed with the platform's key by `seal` before it is stored, and
/// forgotten once the mail is sent.
public struct MailSender: Sendable {
    let seal: @Sendable (String) throws -> String

    public init(seal: @escaping @Sendable (String) throws -> String) {
        self.seal = seal
    }

    @discardableResult
    public func send(
        _ kind: MailKind, to recipient: String, objectID: String? = nil, link: String? = nil, now: Date, on sql: any SQLDatabase
    )
        async throws -> String
    {
        try await MailQueue.enqueue(kind, to: recipient, objectID: objectID, sealedLink: try link.map(seal), now: now, on: sql)
    }
}
