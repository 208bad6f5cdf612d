import Crypto
import Foundation
import HTTPTypes
import LeopardCore

/// The header the platform signs every request it forwards to a dedicated instance with, and
/// that the instance requires: `X-Leopard-Proxy: t=<unix seconds>,v1=<hex HMAC-SHA256>` over the
/// time, the store, the method, the host and the path with its query. The key is derived from
/// the platform key, which both processes hold, so nothing else on the machine can make one.
/// A signature is good for a minute either side; compared in constant time.
public struct ProxySignature: Sendable {
    public static let header = HTTPField.Name("X-Leopard-Proxy")!
    static let tolerance = 60
    let key: SymmetricKey

    public init(key: SymmetricKey) {
        self.key = key
    }

    public func sign(tenantID: String, method: String, host: String, path: String, time: Int = Int(Date().timeIntervalSince1970)) -> String {
        "t=\(time),v1=\(mac(time: time, tenantID: tenantID, method: method, host: host, path: path))"
    }

    public func verify(_ value: String?, tenantID: String, method: String, host: String, path: String, now: Int = Int(Date().timeIntervalSince1970)) -> Bool {
        guard let value, value.utf8.count <= 200 else { return false }
        var time: Int?
        var given: String?
        for part in value.split(separator: ",") {
            if part.hasPrefix("t=") { time = Int(part.dropFirst(2)) }
            if part.hasPrefix("v1=") { given = String(part.dropFirst(3)).lowercased() }
        }
        // Subtracted without trapping: the time is whatever the header says.
        guard let time, let given else { return false }
        let (difference, overflow) = now.subtractingReportingOverflow(time)
        guard !overflow, difference.magnitude <= UInt(Self.tolerance) else { return false }
        let expected = mac(time: time, tenantID: tenantID, method: method, host: host, path: path)
        return SecureToken.constantTimeEquals(Array(given.utf8), Array(expected.utf8))
    }

    private func mac(time: Int, tenantID: String, method: String, host: String, path: String) -> String {
        let message = "\(time)\n\(tenantID)\n\(method)\n\(host.lowercased())\n\(path)"
        return Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key))
    }
}
