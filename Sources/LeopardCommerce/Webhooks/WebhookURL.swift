import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
        // Every spelling the system's resolver takes as an IPv4 address (`127.1`, `2130706433`,
        // `0x7f.0.0.1`…), read the way it reads them.
        var v4 = in_addr()
        if inet_aton(host, &v4) != 0 {
            let value = UInt32(bigEndian: v4.s_addr)
            return isPrivate(v4: [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)])
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            let bytes = withUnsafeBytes(of: v6) { Array($0) }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && (bytes[15] == 0 || bytes[15] == 1) { return true }  // :: and ::1
            if bytes[0] & 0xfe == 0xfc { return true }  // unique local fc00::/7
            if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return true }  // link-local fe80::/10
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff { return isPrivate(v4: Array(bytes[12..<16])) }  // ::ffff:a.b.c.d
            return false
        }
        return false
    }

    static func isPrivate(v4 parts: [UInt8]) -> Bool {
        switch (parts[0], parts[1]) {
        case (0, _), (10, _), (127, _), (169, 254), (192, 168): return true
        case (172, 16...31), (100, 64...127): return true
        default: return false
        }
    }
}
