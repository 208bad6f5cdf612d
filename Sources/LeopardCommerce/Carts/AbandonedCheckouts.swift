import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Carts a shopper gave an e-mail address for and then left: items in them, no order, no
/// change for some hours. Staff see them to follow up (draft orders' carts are not shoppers').
public struct AbandonedCheckouts: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    /// How long a cart must have been left, in hours: 1 to 720 (30 days, a cart's life).
    public static let hours = 1...720
    public static let defaultHours = 6

    /// `hours` as given in a query, or the default; a field error otherwise.
    public static func hours(_ text: String?) throws -> Int {
        guard let text else { return defaultHours }
        guard let value = Int(text.prefix(6)), hours.contains(value) else { throw Problem.invalid("hours", "must be a whole number from 1 to 720") }
        return value
    }

    /// Newest first, priced as their shoppers would see them now.
    public func list(olderThanHours hours: Int, page: PageRequest, now: Date = Date()) async throws -> Page<Cart> {
        let cutoff = now.addingTimeInterval(-Double(hours) * 3600).stamp
        let ids = try await database.read { sql in
            var statement: SQLQueryString = """
                SELECT c.id FROM carts c
                WHERE c.status = 'active' AND c.kind = 'shop' AND c.email IS NOT NULL AND c.updated_at < \(bind: cutoff) AND c.expires_at > \(bind: now.stamp)
                  AND EXISTS (SELECT 1 FROM cart_items i WHERE i.cart_id = c.id)
                """
            if let after = page.after { statement += " AND c.id < \(bind: after)" }
            statement += " ORDER BY c.id DESC LIMIT \(bind: page.limit + 1)"
            return try await sql.raw(statement).all().map { try $0.decode(column: "id", as: String.self) }
        }
        var carts: [Cart] = []
        for id in ids.prefix(page.limit) { carts.append(try await Carts(database: database).get(id: id, access: .staff, now: now)) }
        return Page(data: carts, nextCursor: ids.count > page.limit ? carts.last.map { Cursor.encode($0.id) } : nil)
    }
}
