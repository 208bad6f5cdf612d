/// The URL name of a product or category inside one store (Shopify's "handle"): lower-case ASCII
/// letters, digits and single inner hyphens, 1–100 characters. Unlike store slugs, no names are
/// reserved: a product may be called "admin".
public struct Handle: Hashable, Sendable, CustomStringConvertible {
    public let value: String
    public static let maximumLength = 100

    public init?(validating text: String) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maximumLength,
            bytes.allSatisfy({ Slug.isAllowed($0) }),
            bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-"), !text.contains("--")
        else { return nil }
        self.value = text
    }

    /// A handle derived from a title, or nil when the title has no letters or digits.
    public init?(deriving title: String) {
        self.init(validating: Slug.hyphenated(title, maximumLength: Self.maximumLength))
    }

    /// The handle with `-n` appended, shortened to fit, for when the derived one is taken.
    public func numbered(_ number: Int) -> Handle {
        let suffix = "-\(number)"
        var base = String(value.prefix(Self.maximumLength - suffix.count))
        while base.hasSuffix("-") { base.removeLast() }
        return Handle(validating: base + suffix) ?? self
    }

    public static let problemMessage = "must be 1 to 100 lower-case letters, digits and single hyphens, not starting or ending with a hyphen"

    public var description: String { value }
}
