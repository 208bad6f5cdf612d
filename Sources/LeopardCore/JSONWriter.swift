/// Writes JSON bytes directly, for the few types whose encoding is on a hot path (a product
/// list is most of an uncached catalog read, and `JSONEncoder` was 28 % of its CPU). The output
/// is byte for byte what `JSONBodyEncoder` gives: keys in byte order (the caller writes them in
/// that order), `/` unescaped, control characters as `\b \t \n \f \r` or `\u00xx`, everything
/// else as UTF-8. Each type that writes itself has a test comparing its bytes with the
/// `Encodable` output, so a field added to one but not the other fails.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private var first = true

    public init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    /// `{ … }`: `body` writes the members with `key`.
    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        first = true
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        first = false
    }

    /// `[ … ]` of `items`, each written by `item`.
    public mutating func array<Items: Sequence>(_ items: Items, _ item: (inout JSONWriter, Items.Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        var separated = false
        for element in items {
            if separated { bytes.append(UInt8(ascii: ",")) }
            separated = true
            item(&self, element)
        }
        bytes.append(UInt8(ascii: "]"))
        first = false
    }

    /// A member's key; its value follows.
    public mutating func key(_ name: StaticString) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    /// A key that is data (a variant's option name), escaped like any string.
    public mutating func member(_ name: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                start = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                default:
                    let hex = Self.hexDigits
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
        first = false
    }

    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    public mutating func int(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
        first = false
    }

    public mutating func int(_ value: Int?) {
        if let value { int(value) } else { null() }
    }

    public mutating func bool(_ value: Bool) {
        bytes.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
        first = false
    }

    public mutating func null() {
        bytes.append(contentsOf: Array("null".utf8))
        first = false
    }

    /// Any value that writes itself.
    public mutating func value(_ value: some JSONWritable) {
        value.writeJSON(to: &self)
        first = false
    }

    public mutating func value(_ value: (some JSONWritable)?) {
        if let value { self.value(value) } else { null() }
    }
}

/// A type whose JSON `JSONBodyEncoder` writes with `JSONWriter` instead of `JSONEncoder`.
public protocol JSONWritable: Encodable {
    func writeJSON(to writer: inout JSONWriter)
}

extension Money: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { json in
            json.key("amount")
            json.int(amount)
            json.key("currency")
            json.string(currency)
        }
    }
}

extension Page: JSONWritable where Item: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { json in
            json.key("data")
            json.array(data) { $0.value($1) }
            json.key("next_cursor")
            json.string(nextCursor)
        }
    }
}
