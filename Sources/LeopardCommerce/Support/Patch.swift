/// A field of a partial update: absent (leave as is), null (clear) or a value.
public enum Patch<Value: Sendable>: Sendable {
    case absent
    case null
    case value(Value)

    /// The value, or nil when absent or null.
    public var value: Value? {
        if case .value(let value) = self { return value }
        return nil
    }

    public var isAbsent: Bool {
        if case .absent = self { return true }
        return false
    }

    /// Applies the patch to a current optional value.
    public func applied(to current: Value?) -> Value? {
        switch self {
        case .absent: return current
        case .null: return nil
        case .value(let value): return value
        }
    }
}

extension KeyedDecodingContainer {
    public func decodePatch<Value: Decodable & Sendable>(_ type: Value.Type, forKey key: Key) throws -> Patch<Value> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .null }
        return .value(try decode(type, forKey: key))
    }
}
