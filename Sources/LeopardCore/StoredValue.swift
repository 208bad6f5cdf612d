/// A value read back from the database that this version does not know (a newer schema, a
/// hand-made row): an error that names it, so it is never taken for another value.
public struct UnknownStoredValue: Error, CustomStringConvertible {
    public let type: String
    public let text: String

    public var description: String { "a stored \(type) \"\(text.prefix(40))\" is not one this version knows" }
}

extension RawRepresentable where RawValue == String {
    /// The value stored as `text`; `UnknownStoredValue` for text that names none.
    public static func stored(_ text: String) throws -> Self {
        guard let value = Self(rawValue: text) else { throw UnknownStoredValue(type: String(describing: Self.self), text: text) }
        return value
    }
}
