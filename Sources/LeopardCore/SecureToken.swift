import Foundation

/// Random secrets for people and programs to present: tokens, setup links, API keys.
public enum SecureToken {
    /// `bytes` random bytes as base64url without padding (32 bytes → 43 characters).
    public static func make(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode(Data((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
    }

    /// Compares two byte strings in time that depends only on their length.
    public static func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
        return difference == 0
    }
}
