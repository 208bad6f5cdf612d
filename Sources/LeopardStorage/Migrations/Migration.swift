/// One schema change: an ordered, named list of statements per engine.
public struct Migration: Sendable {
    /// Sorts in application order, e.g. `0001_create_tenants`.
    public let id: String
    public let sqlite: [String]
    public let postgres: [String]

    public init(_ id: String, sqlite: [String], postgres: [String]) {
        self.id = id
        self.sqlite = sqlite
        self.postgres = postgres
    }

    /// A migration whose statements are the same on both engines.
    public init(_ id: String, _ statements: [String]) {
        self.init(id, sqlite: statements, postgres: statements)
    }

    public func statements(for kind: DatabaseKind) -> [String] {
        switch kind {
        case .sqlite: return sqlite
        case .postgres: return postgres
        }
    }
}
