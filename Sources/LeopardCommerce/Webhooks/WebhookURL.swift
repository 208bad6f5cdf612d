import Foundation
import LeopardCore

#if canImport(Glibc)
    import Glibc
#endif

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
            let host = components.host?.lowercased(), !host.isEmpty
        else {
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
            // ::ffff:a.b.c.d
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff { return isPrivate(v4: Array(bytes[12..<16])) }
            return false
        }
        return false
    }

    /// Whether an address (as text) is one no webhook may reach: `isPrivate`, and besides every
    /// other special-purpose range (IANA's registries): benchmarking, documentation, multicast,
    /// reserved, IPv4-compatible, NAT64, 6to4 and Teredo IPv6 (which carry an IPv4 address
    /// inside), discard-only. Asked of every address a host name resolves to, at delivery.
    public static func isSpecialPurpose(address: String) -> Bool {
        let host = address.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if isPrivate(host: host) { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            let value = UInt32(bigEndian: v4.s_addr)
            return isSpecial(v4: [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)])
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, host, &v6) == 1 else { return true }  // not an address: refuse
        let b = withUnsafeBytes(of: v6) { Array($0) }
        if b[0] == 0xff { return true }  // multicast ff00::/8
        if b[0..<12].allSatisfy({ $0 == 0 }) { return true }  // ::/96, IPv4-compatible
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xff, b[3] == 0x9b { return true }  // NAT64 64:ff9b::/96 and 64:ff9b:1::/48
        if b[0] == 0x01, b[1..<8].allSatisfy({ $0 == 0 }) { return true }  // discard-only 100::/64
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0d, b[3] == 0xb8 { return true }  // documentation 2001:db8::/32
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x00, b[3] == 0x00 { return true }  // Teredo 2001::/32
        if b[0] == 0x20, b[1] == 0x01, b[2] < 0x02 { return true }  // IETF protocol assignments 2001::/23
        if b[0] == 0x20, b[1] == 0x02 { return true }  // 6to4 2002::/16
        if b[0] & 0xe0 != 0x20 { return true }  // outside global unicast 2000::/3
        return false
    }

    static func isPrivate(v4 parts: [UInt8]) -> Bool {
        switch (parts[0], parts[1]) {
        case (0, _), (10, _), (127, _), (169, 254), (192, 168): return true
        case (172, 16...31), (100, 64...127): return true
        default: return false
        }
    }

    static func isSpecial(v4 parts: [UInt8]) -> Bool {
        if isPrivate(v4: parts) { return true }
        switch (parts[0], parts[1], parts[2]) {
        case (198, 18...19, _): return true  // benchmarking 198.18/15
        case (192, 0, 0), (192, 0, 2), (192, 88, 99), (198, 51, 100), (203, 0, 113): return true  // protocol assignments, documentation, 6to4 relay
        case (224...255, _, _): return true  // multicast 224/4, reserved 240/4, broadcast
        default: return false
        }
    }
}
