/// What the server refuses anywhere in a JSON body (`JSONBody`), stated on the schemas request
/// bodies reach: a NUL character in any string or key, and (in fields it does not know) numbers
/// that are not whole. Schemas only requests read are closed (`additionalProperties: false`), so
/// a client or fuzzer sends the fields the server reads and nothing it would refuse. Schemas
/// responses carry too stay open: a client built today must read tomorrow's extra fields.
extension OpenAPIDocument {
    /// `schemas` with the request rules stated on those request bodies (in `paths`) reach.
    static func statingRequestRules(in schemas: [(String, JSONValue)], readFrom paths: JSONValue) -> [(String, JSONValue)] {
        var bodies: [JSONValue] = []
        var rest: [JSONValue] = []
        if case .object(let byPath) = paths {
            for case (_, .object(let methods)) in byPath {
                for case (_, .object(let operation)) in methods {
                    for (key, value) in operation { if key == "requestBody" { bodies.append(value) } else { rest.append(value) } }
                }
            }
        }
        let read = reachableSchemas(from: .array(bodies), in: schemas)
        let written = reachableSchemas(from: .array(rest), in: schemas)
        return schemas.map { name, schema in (name, read.contains(name) ? requestRules(schema, closed: !written.contains(name)) : schema) }
    }

    /// `schema` with a no-NUL pattern on each string that has no pattern, enumeration or format
    /// of its own, a no-NUL `propertyNames` on each object and, when `closed`, no properties
    /// beyond those it names, at every depth.
    static func requestRules(_ schema: JSONValue, closed: Bool) -> JSONValue {
        guard case .object(var pairs) = schema else { return schema }
        let keys = Set(pairs.map(\.0))
        let types: [String] =
            switch pairs.first(where: { $0.0 == "type" })?.1 {
            case .string(let type)?: [type]
            case .array(let list)?: list.compactMap { if case .string(let type) = $0 { type } else { nil } }
            default: []
            }
        if types.contains("string"), keys.isDisjoint(with: ["pattern", "enum", "const", "format", "contentMediaType"]) {
            pairs.append(("pattern", .string(OpenAPISchemas.noNUL)))
        }
        if types.contains("object"), !keys.contains("propertyNames") {
            pairs.append(("propertyNames", ["pattern": .string(OpenAPISchemas.noNUL)]))
        }
        if closed, types.contains("object"), keys.contains("properties"), !keys.contains("additionalProperties") {
            pairs.append(("additionalProperties", false))
        }
        return .object(pairs.map { key, value in (key, requestRules(value, under: key, closed: closed)) })
    }

    /// A keyword's value with the rules applied to the schemas it holds. Not under `not` (a rule
    /// there would allow what it refuses) or `if` (a condition, not a constraint).
    private static func requestRules(_ value: JSONValue, under keyword: String, closed: Bool) -> JSONValue {
        switch (keyword, value) {
        case ("properties", .object(let named)), ("patternProperties", .object(let named)), ("dependentSchemas", .object(let named)):
            return .object(named.map { ($0.0, requestRules($0.1, closed: closed)) })
        case ("oneOf", .array(let list)), ("anyOf", .array(let list)), ("allOf", .array(let list)), ("prefixItems", .array(let list)):
            return .array(list.map { requestRules($0, closed: closed) })
        case ("items", _), ("additionalProperties", _), ("then", _), ("else", _):
            return requestRules(value, closed: closed)
        default:
            return value
        }
    }
}
