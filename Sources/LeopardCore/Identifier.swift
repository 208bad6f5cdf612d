import Foundation

/// Prefixed, time-sortable, random identifiers (`ten_01jd…`, `prod_…`).
///
/// The body is a ULID in lower-case Crockford base32: 48 bits of milliseconds since 1970 followed
/// by 80 random bits. Lower case keeps every id inside `[a-z0-9_]`, so ids can be embedded in
/// database and role names without quoting.
public enum Identifier {
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// A new identifier with the given prefix, e.g. `Identifier.make("ten")`.
    public static func make(_ prefix: String, date: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(prefix, date: date, using: &generator)
    }

    static func make(_ prefix: String, date: Date, using generator: inout some RandomNumberGenerator) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index)))
        }
        for index in 6..<16 {
            bytes[index] = UInt8.random(in: .min ... .max, using: &generator)
        }
        return prefix + "_" + encode(bytes)
    }

    /// Crockford base32 of 128 bits: 26 characters.
    static func encode(_ bytes: [UInt8]) -> String {
        var value = (high: UInt64(0), low: UInt64(0))
        for index in 0..<8 { value.high = value.high << 8 | UInt64(bytes[index]) }
        for index in 8..<16 { value.low = value.low << 8 | UInt64(bytes[index]) }
        var output = [UInt8](repeating: 0, count: 26)
        for position in stride(from: 25, through: 0, by: -1) {
            let digit = Int(value.low & 31)
            output[position] = alphabet[digit]
            value.low = (value.low >> 5) | (value.high << 59)
            value.high >>= 5
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Whether `text` has the shape of an identifier with `prefix` (no database look-up).
    public static func isWellFormed(_ text: String, prefix: String) -> Bool {
        let expectedPrefix = prefix + "_"
        guard text.hasPrefix(expectedPrefix) else { return false }
        let body = text.utf8.dropFirst(expectedPrefix.utf8.count)
        return body.count == 26 && body.allSatisfy { alphabet.contains($0) }
    }
}
