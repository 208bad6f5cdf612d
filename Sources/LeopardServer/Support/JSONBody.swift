import Foundation
import Hummingbird
import LeopardCore
import NIOCore
import NIOFoundationCompat

extension Request {
    /// Decodes a JSON body of at most `context.maxUploadSize` bytes. Problems name the field:
    /// a missing field or a wrong type is a 422 with `errors`; a body that is not JSON is a 400;
    /// a body over the limit is a 413; another content type is a 415.
    public func decodeJSON<T: Decodable>(_ type: T.Type, context: some RequestContext) async throws -> T {
        try Self.decodeJSON(type, from: try await collectJSONBody(context: context))
    }

    /// The raw bytes of a JSON body (for requests that also fingerprint them).
    public func collectJSONBody(context: some RequestContext) async throws -> ByteBuffer {
        if let contentType = headers[.contentType]?.lowercased(),
            !(contentType.hasPrefix("application/json") || contentType.contains("+json"))
        {
            throw Problem.unsupportedMediaType("Send the body as application/json.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            throw Problem.payloadTooLarge(limit: context.maxUploadSize)
        }
        return buffer
    }

    /// Decodes collected JSON bytes; an empty body is a 400.
    public static func decodeJSON<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        guard buffer.readableBytes > 0 else { throw Problem.badRequest("The request needs a JSON body.") }
        if Self.containsNULEscape(buffer.readableBytesView) { throw Self.nulProblem(Data(buffer: buffer)) }
        do {
            return try JSONDecoder().decode(T.self, from: buffer)
        } catch let error as DecodingError {
            // Foundation reports a number that does not fit the field's type (1.5 for an
            // integer, 1e30) as corrupt data with no path; find such numbers to name the field.
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                let object = try? JSONSerialization.jsonObject(with: Data(buffer: buffer))
            {
                let fields = Self.nonIntegralNumbers(in: object, path: "")
                if !fields.isEmpty {
                    throw Problem.validation(fields.map { .init(field: $0, message: "must be a whole number") })
                }
            }
            throw Self.problem(for: error)
        }
    }

    /// Whether a JSON text has the escape `\u0000` in it (a backslash that is itself escaped
    /// does not start one). No text a store keeps may hold a NUL character: PostgreSQL refuses
    /// it in text, so it is refused here, on both storages, before anything is written.
    static func containsNULEscape(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "\\") else { continue }
            guard let next = iterator.next() else { return false }
            guard next == UInt8(ascii: "u") else { continue }
            var zeros = 0
            while zeros < 4, let digit = iterator.next(), digit == UInt8(ascii: "0") { zeros += 1 }
            if zeros == 4 { return true }
        }
        return false
    }

    /// A 422 naming the fields whose text holds a NUL character.
    static func nulProblem(_ data: Data) -> Problem {
        func paths(_ value: Any, _ path: String) -> [String] {
            func join(_ key: String) -> String { path.isEmpty ? key : path + "." + key }
            switch value {
            case let object as [String: Any]:
                return object.keys.sorted().flatMap { key in (key.contains("\u{0}") ? [join(key)] : []) + paths(object[key] as Any, join(key)) }
            case let array as [Any]:
                return array.enumerated().flatMap { paths($1, join(String($0))) }
            case let text as String:
                return text.contains("\u{0}") ? [path] : []
            default:
                return []
            }
        }
        let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        let fields = object.map { paths($0, "") } ?? []
        let named = fields.isEmpty ? ["body"] : fields
        return Problem.validation(named.map { .init(field: $0.isEmpty ? "body" : $0, message: "must not contain a NUL character (\\u0000)") })
    }

    /// Paths of numbers that are not whole 64-bit integers.
    static func nonIntegralNumbers(in value: Any, path: String) -> [String] {
        func join(_ key: String) -> String { path.isEmpty ? key : path + "." + key }
        switch value {
        case let object as [String: Any]:
            return object.keys.sorted().flatMap { nonIntegralNumbers(in: object[$0] as Any, path: join($0)) }
        case let array as [Any]:
            return array.enumerated().flatMap { nonIntegralNumbers(in: $1, path: join(String($0))) }
        case let number as NSNumber where !(value is Bool):
            let double = number.doubleValue
            return double.rounded() == double && abs(double) < 9.2e18 ? [] : [path]
        default:
            return []
        }
    }

    /// Query parameters as a dictionary (the first value of each name wins).
    public var queryDictionary: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in uri.queryParameters where result[String(name)] == nil {
            result[String(name)] = String(value)
        }
        return result
    }

    static func problem(for error: DecodingError) -> Problem {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (last.map { [$0] } ?? [])
            return keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .invalid(path(context.codingPath, key), "is required")
        case .typeMismatch(let type, let context):
            return .invalid(path(context.codingPath), "must be \(describe(type))")
        case .valueNotFound(let type, let context):
            return .invalid(path(context.codingPath), "must be \(describe(type)), not null")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return .badRequest("The request body is not valid JSON.") }
            return .invalid(path(context.codingPath), "is not valid")
        @unknown default:
            return .badRequest("The request body could not be read.")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: return "a whole number"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "true or false"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object"
        }
    }
}

extension Encodable {
    /// A JSON response with `status`.
    public func jsonResponse(status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONBodyEncoder.encode(self)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(data: data))
        )
    }
}
