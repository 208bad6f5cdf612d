import Crypto
import Foundation
import _CryptoExtras

/// PostgreSQL's stored form of a SCRAM-SHA-256 password (RFC 5802, RFC 7677):
/// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`. Sending this instead of the
/// password keeps the password out of the server's statement log: PostgreSQL stores a value in
/// this form as it is.
enum ScramVerifier {
    /// Key stretching protects guessable passwords; a store role's password is 32 random
    /// characters (about 185 bits), which no number of rounds makes stronger. Every connection
    /// to a store's database pays the rounds on the client (PostgresNIO runs PBKDF2 with the
    /// count the server sends), so a burst of new stores opening their first connections spent
    /// most of its time here at PostgreSQL's default of 4096.
    static let iterations = 16

    static func make(password: String, salt: [UInt8]? = nil) throws -> String {
        let salt = salt ?? (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        // The checked API's 210,000-round minimum is meant for human passwords (see above).
        let salted = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: iterations)
        let clientKey = Data(HMAC<SHA256>.authenticationCode(for: Data("Client Key".utf8), using: salted))
        let storedKey = Data(SHA256.hash(data: clientKey))
        let serverKey = Data(HMAC<SHA256>.authenticationCode(for: Data("Server Key".utf8), using: salted))
        return "SCRAM-SHA-256$\(iterations):\(Data(salt).base64EncodedString())$\(storedKey.base64EncodedString()):\(serverKey.base64EncodedString())"
    }
}
