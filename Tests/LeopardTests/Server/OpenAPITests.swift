import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import LeopardOperations
@testable import LeopardServer

@Suite("OpenAPI document")
struct OpenAPITests {
    /// `METHOD /path` of every operation in a served document.
    func operations(in response: TestResponse) throws -> Set<String> {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
        let paths = try #require(object["paths"] as? [String: [String: Any]])
        return Set(paths.flatMap { path, methods in methods.keys.map { "\($0.uppercased()) \(path)" } })
    }

    func routes(_ router: Router<AppContext>) -> Set<String> {
        Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
    }

    @Test("every registered route is in the document, and the document names no route that is not registered")
    func documentMatchesRouters() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let (platformRouter, storeRouter) = buildRouters(platform.services)
            let platformDocument = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(platformDocument.status == .ok)
            #expect(try operations(in: platformDocument) == routes(platformRouter))

            let store = try await client.makeStore("Spec Shop")
            let storeDocument = try await client.call(.get, "/openapi.json", host: store.host)
            #expect(storeDocument.status == .ok)
            #expect(try operations(in: storeDocument) == routes(storeRouter))
            let object = try JSONSerialization.jsonObject(with: Data(buffer: storeDocument.body)) as? [String: Any]
            #expect(object?["openapi"] as? String == "3.1.0")
        }
    }

    /// The repository's root, from this file's place in it.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("the committed openapi/*.json are what the server serves (regenerate them with `leopard openapi`)")
    func committedFiles() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("File Spec Shop")
            for api in OpenAPIExport.API.allCases {
                let committed = try String(contentsOf: Self.repository.appendingPathComponent(OpenAPIExport.path(api)), encoding: .utf8)
                let command = api == .store ? "swift run leopard openapi" : "swift run leopard openapi --platform"
                let current = committed == (try OpenAPIExport.text(api))
                #expect(current, "run `\(command) > \(OpenAPIExport.path(api))`")
                // The same document, byte for byte apart from layout, as the server answers.
                let served =
                    api == .store
                    ? try await client.call(.get, "/openapi.json", host: store.host) : try await client.execute(uri: "/openapi.json", method: .get)
                let servedObject = try JSONSerialization.jsonObject(with: Data(buffer: served.body)) as? NSDictionary
                let fileObject = try JSONSerialization.jsonObject(with: Data(committed.utf8)) as? NSDictionary
                #expect(servedObject != nil && servedObject == fileObject, "\(api)")
            }
        }
    }

    @Test("every schema the document refers to is defined")
    func referencesResolve() throws {
        for document in [OpenAPIRoutes.platform, OpenAPIRoutes.store] {
            let text = String(buffer: document)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let schemas = try #require((object["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let references = text.components(separatedBy: "#/components/schemas/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            #expect(!references.isEmpty)
            for reference in references { #expect(schemas[reference] != nil, "\(reference) is not defined") }
        }
    }

    @Test("every operation has an operationId, unique in its document: the generated client's method names")
    func operationIDs() {
        for operations in [OpenAPIDocument.platformOperations, OpenAPIDocument.storeOperations] {
            let ids = operations.map(\.id)
            #expect(ids.allSatisfy { !$0.isEmpty && $0.first?.isLowercase == true && $0.allSatisfy { $0.isLetter || $0.isNumber } })
            let repeated = Dictionary(grouping: ids, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
            #expect(repeated.isEmpty, "operationIds used twice: \(repeated)")
        }
    }

    @Test("request bodies: every string refuses NUL by a pattern that compiles; request-only objects are closed")
    func requestStringsRefuseNUL() throws {
        var checked = 0
        for document in [OpenAPIRoutes.platform, OpenAPIRoutes.store] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: document)) as? [String: Any])
            let schemas = try #require((object["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let paths = try #require(object["paths"] as? [String: [String: [String: Any]]])
            var pending: [Any] = paths.values.flatMap(\.values).compactMap {
                (($0["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"]
            }
            var seen = Set<String>()
            var strings: [[String: Any]] = []
            while let value = pending.popLast() {
                if let list = value as? [Any] { pending += list }
                guard let node = value as? [String: Any] else { continue }
                if let reference = node["$ref"] as? String {
                    let name = String(reference.dropFirst("#/components/schemas/".count))
                    if seen.insert(name).inserted, let schema = schemas[name] { pending.append(schema) }
                    continue
                }
                let type = node["type"]
                if type as? String == "string" || (type as? [String])?.contains("string") == true { strings.append(node) }
                pending += Array(node.values)
            }
            checked += strings.count
            for string in strings where string["enum"] == nil && string["format"] == nil {
                let pattern = try #require(string["pattern"] as? String, "\(string) states no pattern")
                let expression = try NSRegularExpression(pattern: pattern)
                let nul = "a\u{0}b"
                #expect(expression.firstMatch(in: nul, range: NSRange(nul.startIndex..., in: nul)) == nil, "\(pattern) lets NUL through")
            }
        }
        #expect(checked > 100, "the walk reached the request schemas")
        // Schemas only requests read are closed; those responses carry too stay open to new fields.
        let store = try #require(try JSONSerialization.jsonObject(with: Data(buffer: OpenAPIRoutes.store)) as? [String: Any])
        let schemas = try #require((store["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        #expect(schemas["ProductCreate"]?["additionalProperties"] as? Bool == false)
        let address = try #require(schemas["Address"], "Address is read and written")
        #expect(address["additionalProperties"] == nil)
        // Nothing a response carries is closed: walk every schema the responses reach.
        let paths = try #require(store["paths"] as? [String: [String: [String: Any]]])
        var pending: [Any] = paths.values.flatMap(\.values).compactMap { $0["responses"] }
        var seen = Set<String>()
        while let value = pending.popLast() {
            if let list = value as? [Any] { pending += list }
            guard let node = value as? [String: Any] else { continue }
            if let reference = node["$ref"] as? String, seen.insert(reference).inserted,
                let schema = schemas[String(reference.dropFirst("#/components/schemas/".count))]
            {
                #expect(schema["additionalProperties"] as? Bool != false, "\(reference) is closed but a response carries it")
                pending.append(schema)
            }
            pending += Array(node.values)
        }
        #expect(seen.count > 50, "the walk reached the response schemas")
    }
}
