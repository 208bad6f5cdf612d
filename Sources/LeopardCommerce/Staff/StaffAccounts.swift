import Crypto
import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Staff members of one store, in that store's database.
public struct StaffAccounts: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    /// How long a setup link for an owner without a password stays valid.
    public static let setupTokenLifetime: TimeInterval = 7 * 24 * 3600

    /// Creates the store's owner and its settings row in one transaction. Without a password
    /// hash, returns a one-time setup token (only its SHA-256 is stored).
    public func createOwner(storeName: String, email: String, passwordHash: String?, now: Date = Date()) async throws -> String? {
        let token = passwordHash == nil ? SecureToken.make() : nil
        let tokenDigest = token.map { TokenDigest.hex($0) }
        let expires = token.map { _ in Timestamp.string(now.addingTimeInterval(Self.setupTokenLifetime)) }
        let stamp = Timestamp.string(now)
        try await database.write { sql in
            try await sql.raw(
                """
                INSERT INTO store_settings (id, name, currency, contact_email, updated_at)
                VALUES (1, \(bind: storeName), 'USD', \(bind: email), \(bind: stamp))
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO staff_members (id, email, password_hash, role, setup_token_sha256, setup_token_expires_at, created_at, updated_at)
                VALUES (\(bind: Identifier.make("stf", date: now)), \(bind: email), \(bind: passwordHash), 'owner', \(bind: tokenDigest), \(bind: expires), \(bind: stamp), \(bind: stamp))
                """
            ).run()
        }
        return token
    }

    public struct Member: Sendable, Encodable {
        public let id: String
        public let email: String
        /// `owner` or `staff`.
        public let role: String
        /// The staff role whose permissions the member holds (nil for the owner).
        public let roleId: String?
        public let hasPassword: Bool
        public let createdAt: String
    }

    /// Adds a staff member holding `roleID`'s permissions (none for an owner). Without a
    /// password hash, mails them a link to set one (the token is in no response). A taken
    /// e-mail address is a 409.
    func insert(
        email: String, role: StaffPrincipal.Role, roleID: String?, passwordHash: String?, mail: MailSender, actor: String, now: Date = Date()
    ) async throws -> Member {
        let id = Identifier.make("stf", date: now)
        let token = passwordHash == nil ? SecureToken.make() : nil
        let expires = token.map { _ in now.addingTimeInterval(Self.setupTokenLifetime).stamp }
        do {
            try await database.write { sql in
                try await sql.raw(
                    """
                    INSERT INTO staff_members (id, email, password_hash, role, role_id, setup_token_sha256, setup_token_expires_at, created_at, updated_at)
                    VALUES (\(bind: id), \(bind: email), \(bind: passwordHash), \(bind: role.rawValue), \(bind: roleID), \(bind: token.map(TokenDigest.hex)),
                            \(bind: expires), \(bind: now.stamp), \(bind: now.stamp))
                    """
                ).run()
                if let token { try await mail.send(.staffInvite, to: email, objectID: id, link: token, now: now, on: sql) }
                let what = role == .owner ? "an owner" : "role \(roleID ?? "none")"
                try await AuditLog.record(actor: actor, action: "staff.invited", subject: id, summary: "Added \(email) as \(what)", now: now, on: sql)
            }
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            throw Problem.conflict("A staff member with this e-mail address exists.", errors: [.init(field: "email", message: "is taken")])
        }
        return Member(id: id, email: email, role: role.rawValue, roleId: roleID, hasPassword: passwordHash != nil, createdAt: now.stamp)
    }

    public func list(page: PageRequest) async throws -> Page<Member> {
        let after = page.after ?? ""
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT id, email, role, role_id, CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END AS has_password, created_at FROM staff_members
                WHERE id > \(bind: after) ORDER BY id LIMIT \(bind: page.limit + 1)
                """
            ).all()
        }
        let members = try rows.map { row in
            Member(
                id: try row.decode(column: "id", as: String.self),
                email: try row.decode(column: "email", as: String.self),
                role: try row.decode(column: "role", as: String.self),
                roleId: try row.decode(column: "role_id", as: String?.self),
                hasPassword: try row.decode(column: "has_password", as: Int.self) != 0,
                createdAt: try row.decode(column: "created_at", as: String.self)
            )
        }
        return Page(fetched: members, limit: page.limit, position: { $0.id })
    }
}
