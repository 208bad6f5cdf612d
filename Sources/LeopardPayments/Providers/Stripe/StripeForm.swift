import Foundation

/// Stripe's request bodies: `application/x-www-form-urlencoded`, nested keys in brackets
/// (`metadata[order_id]`, `expand[]`), in the order given.
struct StripeForm: Sendable {
    private(set) var fields: [(String, String)] = []

    mutating func add(_ key: String, _ value: String?) {
        if let value { fields.append((key, value)) }
    }

    var encoded: String {
        fields.map { Self.escape($0.0) + "=" + Self.escape($0.1) }.joined(separator: "&")
    }

    static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// Decodes a form body (the test server reads requests with it).
    static func decode(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            values[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return values
    }
}
