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
        let tokenDigest = token.map { Self.digest($0) }
        let expires = token.map { _ in Timestamp.string(now.addingTimeInterval(Self.setupTokenLifetime)) }
        let stamp = Timestamp.string(now)
        try await database.write { sql in
            try await sql.raw("""
                INSERT INTO store_settings (id, name, currency, contact_email, updated_at)
                VALUES (1, \(bind: storeName), 'USD', \(bind: email), \(bind: stamp))
                """).run()
            try await sql.raw("""
                INSERT INTO staff_members (id, email, password_hash, role, setup_token_sha256, setup_token_expires_at, created_at, updated_at)
                VALUES (\(bind: Identifier.make("stf", date: now)), \(bind: email), \(bind: passwordHash), 'owner', \(bind: tokenDigest), \(bind: expires), \(bind: stamp), \(bind: stamp))
                """).run()
        }
        return token
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
