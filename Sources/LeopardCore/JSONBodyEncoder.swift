import Foundation

/// The one JSON style of the API: sorted keys, slashes unescaped.
public enum JSONBodyEncoder {
    public static func encode(_ value: some Encodable) throws -> Data {
        if let writable = value as? any JSONWritable {
            var writer = JSONWriter()
            writable.writeJSON(to: &writer)
            return Data(writer.bytes)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
