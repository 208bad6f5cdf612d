import Foundation
import LeopardCommerce
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Where a merchant's webhook may be delivered: every address its host name resolves to must be
/// a public one. The name is resolved once, here, and the delivery connects to the address that
/// was checked (`HTTPWebhookTransport` pins it), so a name cannot answer with a public address
/// for the check and a private one for the connection.
struct WebhookAddressGuard: Sendable {
    /// Looks a host name up: its IPv4 and IPv6 addresses as text.
    typealias Resolver = @Sendable (_ host: String) async throws -> [String]

    /// A delivery refused before any connection: what the delivery log records, and nothing more
    /// (no port state, no address).
    struct Refused: Error, CustomStringConvertible {
        var description: String { "refused: private address" }
    }

    struct Unresolved: Error, CustomStringConvertible {
        public let host: String
        var description: String { "the host name \(host.prefix(253)) does not resolve" }
    }

    let allowPrivate: Bool
    let resolve: Resolver

    init(allowPrivate: Bool, resolve: Resolver? = nil) {
        self.allowPrivate = allowPrivate
        self.resolve = resolve ?? Self.systemResolver
    }

    /// The address to connect to for `host` (an address literal is its own), or `Refused` when
    /// any address it has is loopback, private or otherwise special-purpose.
    func address(for host: String) async throws -> String {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let addresses = Self.isAddressLiteral(bare) ? [bare] : try await resolve(bare)
        guard let first = addresses.first else { throw Unresolved(host: bare) }
        if !allowPrivate, addresses.contains(where: { WebhookURL.isSpecialPurpose(address: $0) }) { throw Refused() }
        return first
    }

    static func isAddressLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// The system's resolver (getaddrinfo), on NIO's thread pool: it blocks.
    static let systemResolver: Resolver = { host in
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &list) == 0, let list else { throw Unresolved(host: host) }
            defer { freeaddrinfo(list) }
            var found: [String] = []
            var next: UnsafeMutablePointer<addrinfo>? = list
            while let entry = next {
                if let text = Self.text(of: entry.pointee), !found.contains(text) { found.append(text) }
                next = entry.pointee.ai_next
            }
            return found
        }
    }

    private static func text(of entry: addrinfo) -> String? {
        guard let address = entry.ai_addr else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch entry.ai_family {
        case AF_INET:
            var v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            guard inet_ntop(AF_INET, &v4, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        case AF_INET6:
            var v6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            guard inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        default:
            return nil
        }
        return String(cString: buffer)
    }
}
