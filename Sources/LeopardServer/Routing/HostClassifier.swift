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
