import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Bearer sessions for staff: `POST /api/auth/login` creates one, `logout` revokes it. Tokens
/// are `lps_…`; only their SHA-256 is stored.
public struct StaffSessions: Sendable {
    public static let prefix = "lps_"
    public static let lifetime: TimeInterval = 12 * 3600

    public let database: any DatabaseHandle
    public let hasher: PasswordHasher

    public init(database: any DatabaseHandle, hasher: PasswordHasher) {
        self.database = database
        self.hasher = hasher
    }

    public struct Issued: Sendable, Encodable {
        public let token: String
        public let expiresAt: String
    }

    /// Checks the password and opens a session, or returns nil. An unknown e-mail costs a bcrypt
    /// verification too, so response times do not reveal which addresses are staff.
    public func login(email: String, password: String, now: Date = Date()) async throws -> Issued? {
        let normalized = EmailAddress(email)?.value ?? email.lowercased()
        let row = try await database.read { sql in
            try await sql.raw("SELECT id, password_hash FROM staff_members WHERE email = \(bind: normalized)").first()
        }
        let staffID = try row?.decode(column: "id", as: String.self)
        let hash = try row?.decode(column: "password_hash", as: String?.self)
        guard let hash, let staffID else {
            try await hasher.spendVerificationTime(password)
            return nil
        }
        guard try await hasher.verify(password, hash: hash) else { return nil }
        let token = Self.prefix + SecureToken.make()
        let expires = now.addingTimeInterval(Self.lifetime).stamp
        try await database.write { sql in
            try await sql.raw(
                """
                INSERT INTO staff_sessions (id, staff_id, token_sha256, created_at, expires_at)
                VALUES (\(bind: Identifier.make("ses", date: now)), \(bind: staffID), \(bind: TokenDigest.hex(token)), \(bind: now.stamp), \(bind: expires))
                """
            ).run()
        }
        return Issued(token: token, expiresAt: expires)
    }

    /// Redeems a one-time setup token (from signup without a password, or an invitation): sets
    /// the password and opens a session. Nil when the token is unknown, used or expired.
    public func completeSetup(token: String, passwordHash: String, now: Date = Date()) async throws -> Issued? {
        let digest = TokenDigest.hex(token)
        let session = Self.prefix + SecureToken.make()
        let expires = now.addingTimeInterval(Self.lifetime).stamp
        let redeemed = try await database.write { sql -> Bool in
            guard
                let row = try await sql.raw(
                    """
                    UPDATE staff_members SET password_hash = \(bind: passwordHash), setup_token_sha256 = NULL, setup_token_expires_at = NULL, updated_at = \(bind: now.stamp)
                    WHERE setup_token_sha256 = \(bind: digest) AND setup_token_expires_at > \(bind: now.stamp)
                    RETURNING id
                    """
                ).first()
            else { return false }
            let staffID = try row.decode(column: "id", as: String.self)
            // A reset ends every session the old password opened.
            try await sql.raw("UPDATE staff_sessions SET revoked_at = \(bind: now.stamp) WHERE staff_id = \(bind: staffID) AND revoked_at IS NULL").run()
            try await sql.raw(
                """
                INSERT INTO staff_sessions (id, staff_id, token_sha256, created_at, expires_at)
                VALUES (\(bind: Identifier.make("ses", date: now)), \(bind: staffID), \(bind: TokenDigest.hex(session)), \(bind: now.stamp), \(bind: expires))
                """
            ).run()
            return true
        }
        return redeemed ? Issued(token: session, expiresAt: expires) : nil
    }

    /// Checks a new password, hashes it and follows a setup or reset link with it (see the
    /// other `completeSetup`); a 422 for a password too short or too long.
    public func completeSetup(token: String, password: String, now: Date = Date()) async throws -> Issued? {
        if let problem = PasswordHasher.problem(with: password) { throw Problem.invalid("password", problem) }
        // A link that cannot work costs no hashing: guessing links is not a way to spend our CPU.
        let digest = TokenDigest.hex(token)
        let live = try await database.read { sql in
            try await sql.raw(
                "SELECT 1 AS ok FROM staff_members WHERE setup_token_sha256 = \(bind: digest) AND setup_token_expires_at > \(bind: now.stamp)"
            ).first() != nil
        }
        guard live else { return nil }
        return try await completeSetup(token: token, passwordHash: try await hasher.hash(password), now: now)
    }

    /// How long a password-reset link works.
    public static let resetLifetime: TimeInterval = 3600

    /// Mails a staff member with this address a link to set a new password (valid for an hour,
    /// replacing any earlier link); does nothing for an unknown address, or for a member who
    /// has no password yet (their invite link stays as it was: nobody can cut it short). Callers answer the
    /// same either way. Following the link is `completeSetup`.
    public func requestPasswordReset(email text: String, mail: MailSender, now: Date = Date()) async throws {
        guard let email = EmailAddress(text) else { throw Problem.invalid("email", "must be an e-mail address") }
        let token = SecureToken.make()
        try await database.write { sql in
            guard
                let row = try await sql.raw(
                    """
                    UPDATE staff_members SET setup_token_sha256 = \(bind: TokenDigest.hex(token)),
                        setup_token_expires_at = \(bind: now.addingTimeInterval(Self.resetLifetime).stamp)
                    WHERE email = \(bind: email.value) AND password_hash IS NOT NULL
                    RETURNING id
                    """
                ).first()
            else { return }
            try await mail.send(.staffPasswordReset, to: email.value, objectID: try row.decode(column: "id", as: String.self), link: token, now: now, on: sql)
        }
    }

    /// A one-time link token that opens a session for the staff member with this e-mail address
    /// within `lifetime` seconds (after signup, where the form is on another host). Nil when
    /// there is no such staff member.
    public func issueHandoff(email: String, lifetime: TimeInterval = 120, now: Date = Date()) async throws -> String? {
        let token = "lph_" + SecureToken.make()
        let issued = try await database.write { sql -> Bool in
            guard let row = try await sql.raw("SELECT id FROM staff_members WHERE email = \(bind: email.lowercased())").first() else { return false }
            try await sql.raw("DELETE FROM staff_handoffs WHERE expires_at <= \(bind: now.stamp)").run()
            try await sql.raw(
                """
                INSERT INTO staff_handoffs (token_sha256, staff_id, expires_at)
                VALUES (\(bind: TokenDigest.hex(token)), \(bind: try row.decode(column: "id", as: String.self)), \(bind: now.addingTimeInterval(lifetime).stamp))
                """
            ).run()
            return true
        }
        return issued ? token : nil
    }

    /// The e-mail address a live handoff token signs in as, without using the token up; nil
    /// for a token that is unknown, used or expired (so the page shows nobody's address).
    public func handoffEmail(token: String, now: Date = Date()) async throws -> String? {
        guard token.hasPrefix("lph_"), token.utf8.count <= 100 else { return nil }
        return try await database.read { sql in
            try await sql.raw(
                """
                SELECT s.email FROM staff_handoffs h JOIN staff_members s ON s.id = h.staff_id
                WHERE h.token_sha256 = \(bind: TokenDigest.hex(token)) AND h.expires_at > \(bind: now.stamp)
                """
            ).first()?.decode(column: "email", as: String.self)
        }
    }

    /// Redeems a handoff token once: the session it opens, or nil when it is unknown, used or expired.
    public func redeemHandoff(token: String, now: Date = Date()) async throws -> Issued? {
        guard token.hasPrefix("lph_"), token.utf8.count <= 100 else { return nil }
        let session = Self.prefix + SecureToken.make()
        let expires = now.addingTimeInterval(Self.lifetime).stamp
        let redeemed = try await database.write { sql -> Bool in
            guard
                let row = try await sql.raw(
                    """
                    DELETE FROM staff_handoffs WHERE token_sha256 = \(bind: TokenDigest.hex(token)) AND expires_at > \(bind: now.stamp) RETURNING staff_id
                    """
                ).first()
            else { return false }
            try await sql.raw(
                """
                INSERT INTO staff_sessions (id, staff_id, token_sha256, created_at, expires_at)
                VALUES (\(bind: Identifier.make("ses", date: now)), \(bind: try row.decode(column: "staff_id", as: String.self)), \(bind: TokenDigest.hex(session)), \(bind: now.stamp), \(bind: expires))
                """
            ).run()
            return true
        }
        return redeemed ? Issued(token: session, expiresAt: expires) : nil
    }

    /// The staff member a live session token belongs to.
    public func principal(token: String, now: Date = Date()) async throws -> StaffPrincipal? {
        let digest = TokenDigest.hex(token)
        let row = try await database.read { sql in
            try await sql.raw(
                """
                SELECT s.id AS session_id, s.token_sha256, m.id AS staff_id, m.email, m.role, r.permissions
                FROM staff_sessions s JOIN staff_members m ON m.id = s.staff_id LEFT JOIN staff_roles r ON r.id = m.role_id
                WHERE s.token_sha256 = \(bind: digest) AND s.revoked_at IS NULL AND s.expires_at > \(bind: now.stamp)
                """
            ).first()
        }
        guard let row, TokenDigest.matches(token, digest: try row.decode(column: "token_sha256", as: String.self)),
            let role = StaffPrincipal.Role(rawValue: try row.decode(column: "role", as: String.self))
        else { return nil }
        return StaffPrincipal(
            staffID: try row.decode(column: "staff_id", as: String.self),
            email: try row.decode(column: "email", as: String.self),
            role: role,
            credential: .session(id: try row.decode(column: "session_id", as: String.self)),
            permissions: StaffPermission.parse(stored: try row.decode(column: "permissions", as: String?.self) ?? "")
        )
    }

    public func revoke(sessionID: String, now: Date = Date()) async throws {
        try await database.write { sql in
            try await sql.raw("UPDATE staff_sessions SET revoked_at = \(bind: now.stamp) WHERE id = \(bind: sessionID) AND revoked_at IS NULL").run()
        }
    }
}
