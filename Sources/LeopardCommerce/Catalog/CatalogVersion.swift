import LeopardStorage
import SQLKit

/// The version of a store's catalog: database triggers raise it on every change to products,
/// variants, images, tags, categories or settings, so it also counts changes made by another
/// process (an import from the command line, another instance).
public enum CatalogVersion {
    public static func current(_ database: any DatabaseHandle) async throws -> Int {
        try await database.read { sql in
            try await sql.raw("SELECT version FROM catalog_state WHERE id = 1").first()?.decode(column: "version", as: Int.self) ?? 0
        }
    }
}
