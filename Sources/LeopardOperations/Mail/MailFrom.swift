import LeopardCore

/// The platform's sender address (`--mail-from`), from which every store's mail is sent under
/// the store's name: one address to set up SPF and DKIM for.
public struct MailFrom: Sendable, Equatable {
    public let address: String

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// `shop@example.com` or `Name <shop@example.com>` (the name is the store's on each mail).
    public init(_ text: String) throws {
        var value = text.trimmingWhitespace()
        if let open = value.lastIndex(of: "<"), value.hasSuffix(">") {
            value = String(value[value.index(after: open)..<value.index(before: value.endIndex)])
        }
        guard let email = EmailAddress(value) else { throw Invalid(description: "--mail-from must be an e-mail address, not \(text.prefix(100))") }
        address = email.value
    }

    /// `no-reply@<base domain>` when nothing is set.
    init(defaultFor baseDomain: String) {
        address = "no-reply@" + baseDomain
    }

    /// The domain of the address, which Message-IDs end in.
    public var domain: String {
        address.split(separator: "@").last.map(String.init) ?? "localhost"
    }
}
