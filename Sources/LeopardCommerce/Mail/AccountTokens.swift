import Foundation
import LeopardCore
import SQLKit

/// Single-use links for accounts: shoppers' e-mail verification (24 hours) and password resets
/// (1 hour), staff e-mail verification (7 days) and links that bring a cart back (14 days). Only a token's SHA-256 is stored; a new link of a kind for an address ends the
/// earlier ones, and redeeming is one conditional update, so a link works once even when
/// followed twice at the same moment.
public enum AccountTokens {
    public enum Purpose: String, Sendable {
        case customerVerification = "customer_verification"
        case customerReset = "customer_reset"
        case staffVerification = "staff_verification"
        /// A link that brings a cart back to the shopper (recovery mail, draft payment link).
        case cartLink = "cart_link"

        var lifetime: TimeInterval {
            switch self {
            case .customerVerification: return 24 * 3600
            case .staffVerification: return 7 * 24 * 3600
            case .customerReset: return 3600
            case .cartLink: return 14 * 24 * 3600
            }
        }
    }

    public struct Redeemed: Sendable {
        public let subjectID: String?
        public let email: String
        public let payloadJSON: String?
    }

    /// A new token, in the caller's transaction.
    static func issue(
        _ purpose: Purpose, email: String, subjectID: String?, payloadJSON: String? = nil, now: Date, on sql: any SQLDatabase
    ) async throws -> String {
        let token = SecureToken.make()
        if purpose == .cartLink, let subjectID {
            // One live link per cart (a shopper may have left several).
            try await sql.raw(
                "UPDATE account_tokens SET used_at = \(bind: now.stamp) WHERE purpose = \(bind: purpose.rawValue) AND subject_id = \(bind: subjectID) AND used_at IS NULL"
            ).run()
        } else {
            try await sql.raw(
                "UPDATE account_tokens SET used_at = \(bind: now.stamp) WHERE purpose = \(bind: purpose.rawValue) AND email = \(bind: email) AND used_at IS NULL"
            ).run()
        }
        try await sql.raw(
            """
            INSERT INTO account_tokens (token_sha256, purpose, subject_id, email, payload_json, expires_at, created_at)
            VALUES (\(bind: TokenDigest.hex(token)), \(bind: purpose.rawValue), \(bind: subjectID), \(bind: email), \(bind: payloadJSON),
                    \(bind: now.addingTimeInterval(purpose.lifetime).stamp), \(bind: now.stamp))
            """
        ).run()
        return token
    }

    /// What a live token carries, without using it up; nil when it is unknown, used or expired.
    static func peek(_ token: String, purpose: Purpose, now: Date, on sql: any SQLDatabase) async throws -> Redeemed? {
        guard token.utf8.count <= 200 else { return nil }
        guard
            let row = try await sql.raw(
                """
                SELECT subject_id, email, payload_json FROM account_tokens
                WHERE token_sha256 = \(bind: TokenDigest.hex(token)) AND purpose = \(bind: purpose.rawValue) AND used_at IS NULL AND expires_at > \(bind: now.stamp)
                """
            ).first()
        else { return nil }
        return Redeemed(
            subjectID: try row.decode(column: "subject_id", as: String?.self), email: try row.decode(column: "email", as: String.self),
            payloadJSON: try row.decode(column: "payload_json", as: String?.self))
    }

    /// Uses a live token up, in the caller's transaction; nil when it is unknown, used or expired.
    static func redeem(_ token: String, purpose: Purpose, now: Date, on sql: any SQLDatabase) async throws -> Redeemed? {
        guard token.utf8.count <= 200 else { return nil }
        guard
            let row = try await sql.raw(
                """
                UPDATE account_tokens SET used_at = \(bind: now.stamp)
                WHERE token_sha256 = \(bind: TokenDigest.hex(token)) AND purpose = \(bind: purpose.rawValue) AND used_at IS NULL AND expires_at > \(bind: now.stamp)
                RETURNING subject_id, email, payload_json
                """
            ).first()
        else { return nil }
        return Redeemed(
            subjectID: try row.decode(column: "subject_id", as: String?.self), email: try row.decode(column: "email", as: String.self),
            payloadJSON: try row.decode(column: "payload_json", as: String?.self))
    }
}
