import Foundation

/// The one JSON style of the API: sorted keys, slashes unescaped.
public enum JSONBodyEncoder {
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
