import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Whether a staff member reads mail at their address: the owner gets a link after signup, and
/// anyone on the staff can ask for another. Following it marks the address verified, if it is
/// still the member's address. The admin asks until it is done.
public struct StaffEmailVerification: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    /// Queues a verification link for the member with this address, in the caller's transaction
    /// (signup's welcome); nothing for an unknown or verified address.
    public static func queue(email: String, mail: MailSender, now: Date, on sql: any SQLDatabase) async throws {
        guard
            let row = try await sql.raw("SELECT id FROM staff_members WHERE email = \(bind: email) AND email_verified_at IS NULL").first()
        else { return }
        let id = try row.decode(column: "id", as: String.self)
        let token = try await AccountTokens.issue(.staffVerification, email: email, subjectID: id, now: now, on: sql)
        try await mail.send(.staffEmailVerification, to: email, objectID: id, link: token, now: now, on: sql)
    }

    /// Mails the signed-in member a new link; 409 when the address is verified already.
    public func requestVerification(staffID: String, mail: MailSender, now: Date = Date()) async throws {
        try await database.write { sql in
            guard let row = try await sql.raw("SELECT email, email_verified_at FROM staff_members WHERE id = \(bind: staffID)").first() else {
                throw Problem.notFound("The staff member is gone.")
            }
            guard try row.decode(column: "email_verified_at", as: String?.self) == nil else {
                throw Problem.conflict("This e-mail address is verified already.")
            }
            try await Self.queue(email: try row.decode(column: "email", as: String.self), mail: mail, now: now, on: sql)
        }
    }

    /// Follows a link: the address it was sent to, now verified; nil for a link that is
    /// unknown, used or expired, or whose member has since changed address or left.
    public func verify(token: String, now: Date = Date()) async throws -> String? {
        try await database.write { sql in
            guard let redeemed = try await AccountTokens.redeem(token, purpose: .staffVerification, now: now, on: sql), let id = redeemed.subjectID
            else { return nil }
            let updated = try await sql.raw(
                """
                UPDATE staff_members SET email_verified_at = COALESCE(email_verified_at, \(bind: now.stamp))
                WHERE id = \(bind: id) AND email = \(bind: redeemed.email)
                RETURNING email
                """
            ).first()
            return try updated?.decode(column: "email", as: String.self)
        }
    }

    /// Whether the member's address is verified.
    public func isVerified(staffID: String) async throws -> Bool {
        try await database.read { sql in
            try await sql.raw("SELECT email_verified_at FROM staff_members WHERE id = \(bind: staffID)").first()?
                .decode(column: "email_verified_at", as: String?.self) != nil
        }
    }
}
