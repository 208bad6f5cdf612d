import Foundation

/// A store's address label: `SLUG.<base domain>`.
///
/// Lower-case ASCII letters, digits and single hyphens, 3–40 characters, starting and ending with
/// a letter or digit, and not one of the reserved names.
public struct Slug: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public static let minimumLength = 3
    public static let maximumLength = 40

    /// Names that stores may not take: they belong to the platform or confuse people.
    public static let reserved: Set<String> = [
        "www", "api", "admin", "app", "apps", "console", "static", "assets", "cdn", "mail", "email",
        "smtp", "imap", "pop", "ftp", "ns1", "ns2", "dns", "mx", "webmail", "help", "support", "status",
        "docs", "blog", "billing", "account", "accounts", "login", "signup", "auth", "oauth", "sso",
        "dashboard", "internal", "metrics", "health", "healthz", "readyz", "root", "system", "platform",
        "leopard", "proxy", "webhooks", "webhook", "store", "stores", "shop", "shops", "checkout",
        "localhost", "test", "null", "undefined",
    ]

    public enum Invalid: Error, Equatable, Sendable {
        case tooShort
        case tooLong
        case badCharacters
        case hyphenPlacement
        case reserved

        public var message: String {
            switch self {
            case .tooShort: return "must be at least \(Slug.minimumLength) characters"
            case .tooLong: return "must be at most \(Slug.maximumLength) characters"
            case .badCharacters: return "may contain only lower-case letters a-z, digits and hyphens"
            case .hyphenPlacement: return "must start and end with a letter or digit and may not contain two hyphens in a row"
            case .reserved: return "is reserved"
            }
        }
    }

    /// Validates `text` as given (no normalisation).
    public init(validating text: String) throws(Invalid) {
        let bytes = Array(text.utf8)
        guard bytes.allSatisfy({ Self.isAllowed($0) }) else { throw .badCharacters }
        guard bytes.count >= Self.minimumLength else { throw .tooShort }
        guard bytes.count <= Self.maximumLength else { throw .tooLong }
        guard bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-"), !text.contains("--") else {
            throw .hyphenPlacement
        }
        guard !Self.reserved.contains(text) else { throw .reserved }
        self.value = text
    }

    /// Derives a slug from a store name: accents folded, everything that is not a letter or digit
    /// becomes one hyphen, cut to the maximum length. Throws when nothing usable is left.
    public init(deriving storeName: String) throws(Invalid) {
        try self.init(validating: Self.hyphenated(storeName, maximumLength: Self.maximumLength))
    }

    /// `text` with accents folded, lower-cased, and every run of other characters turned into one
    /// hyphen, cut to `maximumLength` without a trailing hyphen.
    public static func hyphenated(_ text: String, maximumLength: Int) -> String {
        let folded =
            text
            .folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
            .lowercased()
        var output: [UInt8] = []
        var pendingHyphen = false
        for byte in folded.utf8 {
            if isAlphanumeric(byte) {
                if pendingHyphen, !output.isEmpty { output.append(UInt8(ascii: "-")) }
                pendingHyphen = false
                output.append(byte)
            } else {
                pendingHyphen = true
            }
        }
        if output.count > maximumLength {
            output = Array(output.prefix(maximumLength))
            while output.last == UInt8(ascii: "-") { output.removeLast() }
        }
        return String(decoding: output, as: UTF8.self)
    }

    public var description: String { value }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    static func isAllowed(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "-")
    }
}
