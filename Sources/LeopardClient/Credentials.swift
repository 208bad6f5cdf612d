/// What a request proves about its sender. A header an operation sets itself (its own
/// `xCartSecret`, say) wins over these.
///
/// Printing, logging or dumping a value shows which credentials it holds, never their text.
public struct Credentials: Sendable, Hashable {
    /// A staff session, an API key or a customer session, sent as `Authorization: Bearer`.
    public var bearerToken: String?
    /// A cart's secret from `createCart`, sent as `X-Cart-Secret`.
    public var cartSecret: String?

    public init(bearerToken: String? = nil, cartSecret: String? = nil) {
        self.bearerToken = bearerToken
        self.cartSecret = cartSecret
    }
}

extension Credentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "Credentials(bearerToken: \(bearerToken == nil ? "none" : "redacted"), cartSecret: \(cartSecret == nil ? "none" : "redacted"))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["bearerToken": bearerToken == nil ? "none" : "redacted", "cartSecret": cartSecret == nil ? "none" : "redacted"])
    }
}
