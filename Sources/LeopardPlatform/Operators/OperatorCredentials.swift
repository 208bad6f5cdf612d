import Crypto
import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// The platform operator's bearer token. Only its SHA-256 digest is kept: in
/// `platform_settings`, or in memory when `LEOPARD_OPERATOR_TOKEN` sets it.
public struct OperatorCredentials: Sendable {
    private let digest: [UInt8]

    public init(token: String) {
        self.digest = Array(SHA256.hash(data: Data(token.utf8)))
    }

    init(digest: [UInt8]) {
        self.digest = digest
    }

    static let settingKey = "operator_token_sha256"

    /// Uses `environmentToken` when given; otherwise the stored digest, or a new token whose
    /// digest is stored and which is returned once, to be printed.
    /// `createIfMissing: false` (commands that print no token, like `leopard backup`) leaves a
    /// platform without a token as it is: nothing then authenticates as the operator, and the
    /// next `leopard serve` makes and shows the token.
    public static func load(
        environmentToken: String?, platform: any DatabaseHandle, createIfMissing: Bool = true
    ) async throws -> (credentials: OperatorCredentials, newToken: String?) {
        if let environmentToken, !environmentToken.isEmpty {
            return (OperatorCredentials(token: environmentToken), nil)
        }
        let stored = try await platform.read { sql in
            try await sql.raw("SELECT value FROM platform_settings WHERE key = \(bind: settingKey)").first()?.decode(column: "value", as: String.self)
        }
        if let stored, let digest = hexBytes(stored) {
            return (OperatorCredentials(digest: digest), nil)
        }
        guard createIfMissing else {
            // A random token nobody is told: no operator request passes.
            return (OperatorCredentials(token: "lop_" + SecureToken.make()), nil)
        }
        let token = "lop_" + SecureToken.make()
        let credentials = OperatorCredentials(token: token)
        let hex = Hex.encode(credentials.digest)
        // Two processes starting at once: the first insert wins, both read back the winner.
        try await platform.write { sql in
            try await sql.raw(
                "INSERT INTO platform_settings (key, value, updated_at) VALUES (\(bind: settingKey), \(bind: hex), \(bind: Timestamp.string(Date()))) ON CONFLICT (key) DO NOTHING"
            ).run()
        }
        let inserted =
            try await platform.read { sql in
                try await sql.raw("SELECT value FROM platform_settings WHERE key = \(bind: settingKey)").first()?.decode(column: "value", as: String.self)
            } ?? hex
        if inserted != hex, let digest = hexBytes(inserted) {
            // Another process created it first.
            return (OperatorCredentials(digest: digest), nil)
        }
        return (credentials, token)
    }

    /// Constant-time comparison of digests.
    public func verify(_ token: String) -> Bool {
        SecureToken.constantTimeEquals(Array(SHA256.hash(data: Data(token.utf8))), digest)
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let scalars = Array(text.utf8)
        guard scalars.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = 0
        while index < 64 {
            guard let byte = UInt8(String(decoding: scalars[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
            index += 2
        }
        return bytes
    }
}
