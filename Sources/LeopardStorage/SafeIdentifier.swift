/// Names that SQL cannot bind (databases, roles) are built only from `[a-z0-9_]`, start with a
/// letter and fit PostgreSQL's 63-byte limit. Everything else is refused before it reaches SQL.
public struct SafeIdentifier: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public struct Invalid: Error, CustomStringConvertible {
        public let text: String
        public var description: String { "not a safe SQL identifier: \(text.debugDescription)" }
    }

    public init(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), bytes.count <= 63,
            bytes.allSatisfy({
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_")
            })
        else { throw Invalid(text: text) }
        self.value = text
    }

    /// Double-quoted, for SQL text.
    public var quoted: String { "\"\(value)\"" }
    public var description: String { value }
}
