import Foundation

/// Random secrets for people and programs to present: tokens, setup links, API keys.
public enum SecureToken {
    /// `bytes` random bytes as base64url without padding (32 bytes → 43 characters).
    public static func make(bytes: Int = 32) -> String {
        // Eight bytes per call to the system's generator, not one.
        var generator = SystemRandomNumberGenerator()
        var random = [UInt8]()
        random.reserveCapacity(bytes + 8)
        while random.count < bytes {
            withUnsafeBytes(of: generator.next() as UInt64) { random.append(contentsOf: $0) }
        }
        return Base64URL.encode(random.prefix(bytes))
    }

    /// Compares two byte strings in time that depends only on their length.
    public static func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
        return difference == 0
    }
}
