import LeopardCore

/// An `application/x-www-form-urlencoded` body, as a browser posts a form. Repeated names keep
/// every value in order (`values(_:)`); `self[name]` is the first.
public struct FormFields: Sendable {
    public private(set) var pairs: [(name: String, value: String)] = []

    public init(pairs: [(name: String, value: String)]) {
        self.pairs = pairs
    }

    public init(encoded text: String) {
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(pieces[0])
            let value = pieces.count > 1 ? Self.decode(pieces[1]) : ""
            pairs.append((name, value))
        }
    }

    public subscript(_ name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// The field trimmed, or nil when it is missing or blank.
    public func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingWhitespace(), !value.isEmpty else { return nil }
        return value
    }

    public func values(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    /// `+` is a space; `%XX` a byte; bytes that are not UTF-8 become U+FFFD.
    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next() else {
                    bytes.append(byte)
                    break
                }
                guard let low = iterator.next() else {
                    bytes.append(byte)
                    bytes.append(high)
                    break
                }
                if let h = hexValue(high), let l = hexValue(low) {
                    bytes.append(h << 4 | l)
                } else {
                    bytes += [byte, high, low]
                }
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// The message beside each wrong field, keyed by the API's field name (`shippingAddress.city`).
public struct FieldMessages: Sendable {
    public private(set) var messages: [String: String] = [:]
    public var general: String?

    /// A problem's field errors, with its detail (or title) above the form.
    public init(_ problem: Problem) {
        self.init(problem.errors.map { ($0.field, $0.message) }, general: problem.detail ?? problem.title)
    }

    /// A problem's field errors under the form's own names (`field` maps the API's), with "Check
    /// the fields marked below." above the form when there are any, else the problem's detail.
    public init(form problem: Problem, field: (String) -> String = { $0 }) {
        self.init(
            problem.errors.map { (field($0.field), $0.message) },
            general: problem.errors.isEmpty ? problem.detail ?? problem.title : "Check the fields marked below.")
    }

    public init(_ errors: [(field: String, message: String)] = [], general: String? = nil) {
        for error in errors where messages[error.field] == nil { messages[error.field] = error.message }
        self.general = general
    }

    public var isEmpty: Bool { messages.isEmpty && general == nil }

    public subscript(_ field: String) -> String? { messages[field] }
}
