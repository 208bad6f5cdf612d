import Crypto
import Foundation
import LeopardCore

/// Secrets that people and programs present (session tokens, API keys, cart secrets) are kept
/// only as their SHA-256: a leaked database does not hand out working credentials.
enum TokenDigest {
    static func hex(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }

    /// Whether `token` hashes to the stored `digest`, compared in constant time.
    static func matches(_ token: String, digest: String) -> Bool {
        SecureToken.constantTimeEquals(Array(hex(token).utf8), Array(digest.utf8))
    }
}
