/// A custom domain a store may take: a DNS name of at least two labels, lower-case ASCII letters,
/// digits and inner hyphens, each label 1–63 bytes, 253 in all, and not an IP address (the last
/// label is never all digits). Internationalised names are taken in their `xn--` form.
public struct Hostname: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public enum Invalid: Error, Equatable, Sendable {
        case empty
        case tooLong
        case notASCII
        case ipAddress
        case badLabel
        case singleLabel

        public var message: String {
            switch self {
            case .empty: return "is required"
            case .tooLong: return "must be at most 253 characters, each label at most 63"
            case .notASCII: return "must be ASCII: write an internationalised name in its xn-- (punycode) form"
            case .ipAddress: return "must be a domain name, not an IP address"
            case .badLabel: return "may contain only letters a-z, digits, hyphens (not at the start or end of a label) and dots between labels"
            case .singleLabel: return "must have at least two labels, like shop.example.com"
            }
        }
    }

    public init(validating text: String) throws(Invalid) {
        var host = text.trimmingWhitespace().lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        guard !host.isEmpty else { throw .empty }
        guard host.utf8.allSatisfy({ $0 < 0x80 }) else { throw .notASCII }
        if host.contains(":") || host.hasPrefix("[") { throw .ipAddress }
        guard host.utf8.count <= 253 else { throw .tooLong }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty else { throw .badLabel }
            guard label.utf8.count <= 63 else { throw .tooLong }
            guard label.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }),
                label.first != "-", label.last != "-"
            else { throw .badLabel }
        }
        guard labels.count >= 2 else { throw .singleLabel }
        if let last = labels.last, last.utf8.allSatisfy({ (0x30...0x39).contains($0) }) { throw .ipAddress }
        value = host
    }

    /// Whether this name is `domain` or under it.
    public func isWithin(_ domain: String) -> Bool {
        let domain = domain.lowercased()
        return value == domain || value.hasSuffix("." + domain)
    }

    public var description: String { value }
}
