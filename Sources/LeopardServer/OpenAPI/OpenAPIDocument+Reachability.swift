import LeopardCommerce

extension OpenAPIDocument {
    /// The schemas `paths` reach, with what the server refuses in request bodies stated.
    static func published(_ schemas: [(String, JSONValue)], for paths: JSONValue) -> [(String, JSONValue)] {
        let used = reachableSchemas(from: paths, in: schemas)
        return statingRequestRules(in: schemas.filter { used.contains($0.0) }, readFrom: paths)
    }

    /// The names of the schemas `root` refers to, directly or through other schemas: a document
    /// carries only those (the platform's would otherwise carry every store schema).
    static func reachableSchemas(from root: JSONValue, in schemas: [(String, JSONValue)]) -> Set<String> {
        let byName = Dictionary(schemas, uniquingKeysWith: { first, _ in first })
        var found = Set<String>()
        var pending = [root]
        while let value = pending.popLast() {
            switch value {
            case .object(let pairs):
                for (key, child) in pairs {
                    if key == "$ref", case .string(let reference) = child {
                        let name = String(reference.dropFirst("#/components/schemas/".count))
                        if found.insert(name).inserted, let schema = byName[name] { pending.append(schema) }
                    } else {
                        pending.append(child)
                    }
                }
            case .array(let items): pending.append(contentsOf: items)
            case .string, .int, .bool, .decimal, .null: break
            }
        }
        return found
    }

    /// Path parameters that take one of a few values.
    static let pathParameterSchemas: [String: JSONValue] = [
        "kind": ["type": "string", "enum": .array(MailKind.allCases.map { .string($0.rawValue) })],
        "provider": ["type": "string", "enum": ["test", "stripe"]],
    ]
}
