import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The proxies whose `X-Forwarded-For` is believed: this machine always, plus the networks an
/// operator names (`--trusted-proxies 10.0.0.0/8,fd00::/8`), such as a Kubernetes cluster's
/// pod network where the ingress runs. The client is the right-most address in the header that
/// is not itself a trusted proxy.
public struct TrustedProxies: Sendable, Equatable {
    struct Network: Sendable, Equatable {
        let bytes: [UInt8]
        let prefix: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefix
            for index in bytes.indices where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if address[index] & mask != bytes[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    let networks: [Network]

    /// Loopback only.
    public static let local = TrustedProxies(networks: [])

    public struct Invalid: Error, CustomStringConvertible {
        public let entry: String
        public var description: String { "not an IP address or network: \(entry) (expected e.g. 10.0.0.0/8 or fd00::/8)" }
    }

    /// Parses a comma-separated list of addresses and CIDR networks; empty means loopback only.
    public init(parsing list: String) throws {
        var networks: [Network] = []
        for raw in list.split(separator: ",") {
            let entry = raw.trimmingCharacters(in: .whitespaces)
            guard !entry.isEmpty else { continue }
            let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let bytes = Self.bytes(String(parts[0])) else { throw Invalid(entry: entry) }
            let prefix = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
            guard let prefix, (0...(bytes.count * 8)).contains(prefix) else { throw Invalid(entry: entry) }
            networks.append(Network(bytes: bytes, prefix: prefix))
        }
        self.networks = networks
    }

    init(networks: [Network]) {
        self.networks = networks
    }

    /// Whether a request from `address` may name its client.
    public func trusts(_ address: String) -> Bool {
        if address == "127.0.0.1" || address == "::1" || address.hasPrefix("::ffff:127.") { return true }
        guard !networks.isEmpty, let bytes = Self.bytes(address) else { return false }
        // An IPv4 peer seen as IPv6 (::ffff:10.0.0.5) matches IPv4 networks too.
        let v4 = bytes.count == 16 && bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF ? Array(bytes[12...]) : nil
        return networks.contains { $0.contains(bytes) || (v4.map($0.contains) ?? false) }
    }

    /// The client of a request from `peer` carrying `forwardedFor` (the `X-Forwarded-For`
    /// value): the peer itself unless it is trusted; else the right-most entry that is not a
    /// trusted proxy. Entries a client wrote itself, left of the first untrusted one, are never used.
    public func client(peer: String?, forwardedFor: String?) -> String? {
        guard peer.map(trusts) ?? true, let forwardedFor else { return peer }
        let entries = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var candidate = peer
        for entry in entries.reversed() {
            guard !entry.isEmpty, entry.utf8.count <= 64 else { return candidate }
            candidate = entry
            if !trusts(entry) { return entry }
        }
        return candidate
    }

    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
