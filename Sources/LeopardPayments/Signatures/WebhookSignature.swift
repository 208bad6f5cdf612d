import Crypto
import Foundation
import LeopardCore

/// Stripe's webhook signature scheme, used for inbound payment webhooks (and, later, for the
/// webhooks Leopard sends): `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, where
/// each `v1` is HMAC-SHA256(secret, "<t>.<raw body>"). Verified on the raw bytes before anything
/// is parsed; any matching `v1` is accepted; compared in constant time; at most 300 s old.
public enum WebhookSignature {
    public static let tolerance: TimeInterval = 300

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case missing
        case malformed
        case tooOld
        case mismatch

        public var description: String {
            switch self {
            case .missing: return "the signature header is missing"
            case .malformed: return "the signature header is not t=…,v1=…"
            case .tooOld: return "the signature is too old (more than 300 seconds)"
            case .mismatch: return "no signature matches the body"
            }
        }
    }

    /// The header value that signs `body` at `time`.
    public static func header(for body: some DataProtocol, secret: String, time: Date = Date()) -> String {
        let timestamp = Int(time.timeIntervalSince1970)
        return "t=\(timestamp),v1=\(signature(body: body, secret: secret, timestamp: timestamp))"
    }

    static func signature(body: some DataProtocol, secret: String, timestamp: Int) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: Data(secret.utf8)))
        mac.update(data: Data("\(timestamp).".utf8))
        mac.update(data: Data(body))
        return Hex.encode(Data(mac.finalize()))
    }

    /// Throws unless `header` signs `body` with `secret` and is fresh at `now`.
    public static func verify(header: String?, body: some DataProtocol, secret: String, now: Date = Date()) throws(Failure) {
        guard let header, !header.isEmpty else { throw .missing }
        var timestamp: Int?
        var candidates: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            switch pair[0] {
            case "t": timestamp = Int(pair[1])
            case "v1": candidates.append(pair[1].lowercased())
            default: continue  // other schemes (v0) are ignored, as Stripe does
            }
        }
        guard let timestamp, !candidates.isEmpty else { throw .malformed }
        guard abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= tolerance else { throw .tooOld }
        let expected = Array(signature(body: body, secret: secret, timestamp: timestamp).utf8)
        var matched = false
        for candidate in candidates where SecureToken.constantTimeEquals(Array(candidate.utf8), expected) { matched = true }
        guard matched else { throw .mismatch }
    }
}
