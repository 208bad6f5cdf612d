import LeopardStorage
import SQLKit

/// The store's own settings (name, currency, …), in its database.
public struct StoreSettings: Sendable, Equatable, Codable {
    public var name: String
    public var currency: String
    public var contactEmail: String?

    public init(name: String, currency: String, contactEmail: String?) {
        self.name = name
        self.currency = currency
        self.contactEmail = contactEmail
    }

    public static func load(from database: any DatabaseHandle) async throws -> StoreSettings? {
        try await database.read { sql in
            try await sql.raw("SELECT name, currency, contact_email FROM store_settings WHERE id = 1").first().map { row in
                StoreSettings(
                    name: try row.decode(column: "name", as: String.self),
                    currency: try row.decode(column: "currency", as: String.self),
                    contactEmail: try row.decode(column: "contact_email", as: String?.self)
                )
            }
        }
    }
}
