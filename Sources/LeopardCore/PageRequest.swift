import Foundation

/// A validated page request: `limit` (1…100, default 20) and an opaque `cursor`.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 20
    public static let maximumLimit = 100

    public let limit: Int
    /// The decoded position after which the page starts, or nil for the first page.
    public let after: String?

    public init(limit: Int = PageRequest.defaultLimit, after: String? = nil) {
        self.limit = limit
        self.after = after
    }

    /// Parses the `limit` and `cursor` query parameters; wrong values are a 422 naming the field.
    public init(limit limitText: String?, cursor: String?) throws(Problem) {
        var errors: [Problem.FieldError] = []
        var limit = Self.defaultLimit
        if let limitText {
            if let value = Int(limitText), (1...Self.maximumLimit).contains(value) {
                limit = value
            } else {
                errors.append(.init(field: "limit", message: "must be a whole number from 1 to \(Self.maximumLimit)"))
            }
        }
        var after: String?
        if let cursor, !cursor.isEmpty {
            if let decoded = Cursor.decode(cursor) {
                after = decoded
            } else {
                errors.append(.init(field: "cursor", message: "is not a cursor this API returned"))
            }
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        self.limit = limit
        self.after = after
    }
}

/// A page of results: `{data: [...], next_cursor}`.
public struct Page<Item: Sendable>: Sendable {
    public var data: [Item]
    public var nextCursor: String?

    public init(data: [Item], nextCursor: String?) {
        self.data = data
        self.nextCursor = nextCursor
    }

    /// Builds a page from `limit + 1` fetched rows: the extra row only says that more exist.
    public init(fetched: [Item], limit: Int, position: (Item) -> String) {
        if fetched.count > limit {
            let items = Array(fetched.prefix(limit))
            self.data = items
            self.nextCursor = items.last.map { Cursor.encode(position($0)) }
        } else {
            self.data = fetched
            self.nextCursor = nil
        }
    }

    /// The same page with every item transformed.
    public func map<Other: Sendable>(_ transform: (Item) throws -> Other) rethrows -> Page<Other> {
        Page<Other>(data: try data.map(transform), nextCursor: nextCursor)
    }
}

extension Page: Encodable where Item: Encodable {
    enum CodingKeys: String, CodingKey {
        case data
        case nextCursor = "next_cursor"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        // Always present, null on the last page, so clients can test one key.
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

/// Opaque cursors: base64url of the position, so clients do not build them by hand.
public enum Cursor {
    public static func encode(_ position: String) -> String {
        Base64URL.encode(Data(("v1:" + position).utf8))
    }

    public static func decode(_ cursor: String) -> String? {
        guard cursor.utf8.count <= 512, let data = Base64URL.decode(cursor),
            let text = String(data: data, encoding: .utf8), text.hasPrefix("v1:")
        else {
            return nil
        }
        return String(text.dropFirst(3))
    }
}
