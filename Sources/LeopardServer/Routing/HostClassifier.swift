/// Sorts a request's host into the platform's own host, a store subdomain, or another name.
public struct HostClassifier: Sendable {
    public enum Target: Equatable, Sendable {
        case platform
        case storeSubdomain(String)
        case other(String)
    }

    public let baseDomain: String

    public init(baseDomain: String) {
        self.baseDomain = baseDomain.lowercased()
    }

    public func classify(_ authority: String?) -> Target {
        guard let authority, !authority.isEmpty else { return .platform }
        let host = Self.hostWithoutPort(authority).lowercased()
        if host == baseDomain || host == "localhost" || Self.isIPAddress(host) { return .platform }
        let suffix = "." + baseDomain
        if host.hasSuffix(suffix) {
            let label = String(host.dropLast(suffix.count))
            // Only one label: `a.b.localhost` is not a store.
            if !label.isEmpty, !label.contains(".") { return .storeSubdomain(label) }
        }
        return .other(host)
    }

    /// A store's own subdomain.
    public func storeHost(slug: String) -> String {
        "\(slug).\(baseDomain)"
    }

    /// Whether a `Host` is only a host name, IPv4 or bracketed IPv6 address, with an optional
    /// numeric port: `shop.localhost:8080@evil.test`, user info, paths, spaces and control
    /// characters are refused before the host is classified or echoed into a link.
    public static func isWellFormedAuthority(_ authority: String) -> Bool {
        guard !authority.isEmpty, authority.utf8.count <= 261 else { return false }
        var host = Substring(authority)
        if authority.hasPrefix("[") {
            guard let end = authority.firstIndex(of: "]") else { return false }
            let inside = authority[authority.index(after: authority.startIndex)..<end]
            guard !inside.isEmpty, inside.allSatisfy({ ($0.isASCII && $0.isHexDigit) || $0 == ":" || $0 == "." }) else { return false }
            host = ""
            let rest = authority[authority.index(after: end)...]
            return rest.isEmpty || Self.isPort(rest)
        }
        if let colon = authority.firstIndex(of: ":") {
            guard Self.isPort(authority[colon...]) else { return false }
            host = authority[..<colon]
        }
        guard !host.isEmpty, host.utf8.count <= 253, !host.hasPrefix("."), !host.hasPrefix("-") else { return false }
        return host.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E
        }
    }

    /// `:` followed by one to five digits.
    private static func isPort(_ text: Substring) -> Bool {
        let digits = text.dropFirst()
        return text.first == ":" && !digits.isEmpty && digits.count <= 5 && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    static func hostWithoutPort(_ authority: String) -> String {
        if authority.hasPrefix("[") {  // [::1]:8080
            if let end = authority.firstIndex(of: "]") { return String(authority[authority.startIndex...end]) }
            return authority
        }
        if let colon = authority.lastIndex(of: ":") { return String(authority[..<colon]) }
        return authority
    }

    static func isIPAddress(_ host: String) -> Bool {
        if host.hasPrefix("[") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }
}
