import LeopardCommerce

/// A client's `Idempotency-Key`, already scoped to its caller (`IdempotencyKeys.scoped`), and
/// the fingerprint of its request: a retry with both gets the first answer back.
public struct IdempotentRequest: Sendable {
    let key: String
    let fingerprint: String

    public init(key: String, fingerprint: String) {
        self.key = key
        self.fingerprint = fingerprint
    }
}

/// What an operation that honours `Idempotency-Key` came to: its value, or, for a request with
/// a key, the stored response (the first one or its replay).
public enum IdempotentOutcome<Value: Sendable>: Sendable {
    case value(Value)
    case stored(IdempotencyKeys.Stored)
}
