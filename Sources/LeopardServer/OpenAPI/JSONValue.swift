import Foundation
import Hummingbird
import LeopardCore
import LeopardOperations
import NIOCore
import NIOFoundationCompat

/// A JSON document built in Swift (the OpenAPI description), encoded with its keys in order.
indirect enum JSONValue: Encodable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    case string(String)
    case int(Int)
    case bool(Bool)
    case decimal(Decimal)
    case array([JSONValue])
    case object([(String, JSONValue)])
    case null

    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }

    typealias Key = String
    typealias Value = JSONValue
    typealias ArrayLiteralElement = JSONValue

    struct CodingName: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .int(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .decimal(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .array(let values):
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
        case .object(let pairs):
            var container = encoder.container(keyedBy: CodingName.self)
            for (key, value) in pairs { try container.encode(value, forKey: CodingName(stringValue: key)) }
        }
    }
}

extension JSONValue {
    /// The document read as an API request body of type `T`, with the same checks and field
    /// errors as a body that came over HTTP: the admin's forms build one and hand it to the
    /// service the API route calls.
    func decoded<T: Decodable>(as type: T.Type) throws -> T {
        try Request.decodeJSON(T.self, from: ByteBuffer(data: try JSONBodyEncoder.encode(self)))
    }
}
