import Foundation

/// The OpenAPI documents as files: what `leopard openapi` prints and `openapi/*.json` in the
/// repository holds, for generating clients. They are the documents `GET /openapi.json` serves,
/// with sorted keys and indentation so that a change reads well in a diff; a test fails when
/// a committed file is not what the server serves.
public enum OpenAPIExport {
    public enum API: String, CaseIterable, Sendable {
        case store, platform
    }

    static func document(_ api: API) -> JSONValue {
        switch api {
        case .store: OpenAPIDocument.document(title: "Leopard store API", operations: OpenAPIDocument.storeOperations)
        case .platform: OpenAPIDocument.document(title: "Leopard platform API", operations: OpenAPIDocument.platformOperations)
        }
    }

    /// The file's text, ending with a line break.
    public static func text(_ api: API) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document(api)), as: UTF8.self) + "\n"
    }

    /// The file's path in the repository.
    public static func path(_ api: API) -> String {
        "openapi/\(api.rawValue).json"
    }
}
