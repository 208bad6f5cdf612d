import Foundation

/// A port on 127.0.0.1 that nobody uses now, for servers the tests start (PostgreSQL on TCP,
/// dnsmasq on UDP).
enum FreePort {
    struct Failed: Error, CustomStringConvertible { let description: String }

    static func tcp() throws -> Int { try find(type: Int32(SOCK_STREAM.rawValue)) }
    static func udp() throws -> Int { try find(type: Int32(SOCK_DGRAM.rawValue)) }

    private static func find(type: Int32) throws -> Int {
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw Failed(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw Failed(description: "bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard named == 0 else { throw Failed(description: "getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
