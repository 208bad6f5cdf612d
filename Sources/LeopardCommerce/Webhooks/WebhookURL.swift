import Foundation
import LeopardCore

/// Checks a webhook endpoint's URL: absolute `https` (or `http`), with a host, no credentials,
/// at most 2,048 characters. Unless the platform allows it, hosts that name this machine or a
/// private network (`localhost`, loopback, RFC 1918, link-local, unique local) are refused, so a
/// store cannot make the platform call its own internal services. Names that resolve to such
/// addresses are not caught here (no DNS at validation time).
public enum WebhookURL {
    public static func validate(_ text: String, allowPrivateHosts: Bool) throws(Problem) -> String {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.count <= 2048, let components = URLComponents(string: trimmed),
              let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = components.host?.lowercased(), !host.isEmpty else {
            throw Problem.invalid("url", "must be an absolute http or https URL of at most 2048 characters")
        }
        if components.user != nil || components.password != nil {
            throw Problem.invalid("url", "must not carry a user name or password")
        }
        if !allowPrivateHosts && isPrivate(host: host) {
            throw Problem.invalid("url", "must not point at this machine or a private network")
        }
        return trimmed
    }

    static func isPrivate(host: String) -> Bool {
        let host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if host == "localhost" || host.hasSuffix(".localhost") || host.hasSuffix(".local") || host.hasSuffix(".internal") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        if parts.count == 4 {
            switch (parts[0], parts[1]) {
            case (0, _), (10, _), (127, _), (169, 254), (192, 168): return true
            case (172, 16...31), (100, 64...127): return true
            default: return false
            }
        }
        if host.contains(":") {
            return host == "::1" || host == "::" || host.hasPrefix("fc") || host.hasPrefix("fd") || host.hasPrefix("fe80") || host.hasPrefix("::ffff:")
        }
        return false
    }
}
