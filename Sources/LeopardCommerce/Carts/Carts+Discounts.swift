import Foundation
import LeopardCore
import SQLKit

/// Discount codes on a cart: entered by the shopper, checked at once with a reason when one
/// does not apply, and checked again at checkout.
extension Carts {
    public static let maximumCodes = 5

    /// Adds a code (any case). 422 naming why it does not apply; 409 when it cannot be combined
    /// with a code the cart holds. Adding a code the cart holds changes nothing.
    public func addDiscount(cartID: String, access: CartAccess, code text: String, now: Date = Date()) async throws -> Cart {
        let code = text.trimmingWhitespace().uppercased()
        guard !code.isEmpty, code.utf8.count <= 64 else { throw Problem.invalid("code", "is required") }
        try await database.write { sql in
            let cart = try await Self.authorizeForChange(id: cartID, access: access, now: now, on: sql)
            guard let settings = try await StoreSettings.load(on: sql) else { throw Problem.notFound("This store has no settings.") }
            guard
                let row = try await sql.raw("SELECT \(unsafeRaw: Discounts.columns) FROM discounts WHERE code = \(bind: code) AND automatic = 0").first()
            else { throw Problem.invalid("code", "\(code) is not a discount code of this store") }
            let discount = try await DiscountRules.expandingCategories([try Discounts.discount(row, currency: settings.currency)], on: sql)[0]
            let held = try await sql.raw(
                """
                SELECT d.code, d.combinable FROM cart_discounts cd JOIN discounts d ON d.id = cd.discount_id WHERE cd.cart_id = \(bind: cartID)
                """
            ).all().map { (try $0.decode(column: "code", as: String?.self) ?? "", try $0.decode(column: "combinable", as: Int.self) != 0) }
            if held.contains(where: { $0.0 == code }) { return }
            let lines = try await CartReader(sql: sql).lines(cartID: cartID, currency: settings.currency)
            let shopper = DiscountRules.Shopper(customerID: cart.customerID, email: cart.email)
            if let reason = try await DiscountRules.problem(discount, lines: lines, shopper: shopper, now: now, on: sql) {
                throw Problem.validation([.init(field: "code", message: reason)], detail: "The code \(code) \(reason).")
            }
            if let other = held.first(where: { !$0.1 || !discount.combinable }) {
                throw Problem.conflict(
                    "\(code) cannot be combined with \(other.0).", errors: [.init(field: "code", message: "cannot be combined with \(other.0)")])
            }
            guard held.count < Self.maximumCodes else { throw Problem.conflict("A cart holds at most \(Self.maximumCodes) codes.") }
            try await sql.raw(
                "INSERT INTO cart_discounts (cart_id, discount_id, created_at) VALUES (\(bind: cartID), \(bind: discount.id), \(bind: now.stamp))"
            ).run()
            try await Self.touch(cartID, now: now, on: sql)
        }
        return try await get(id: cartID, access: .staff, now: now)
    }

    /// Takes a code off the cart; 404 when the cart does not hold it.
    public func removeDiscount(cartID: String, access: CartAccess, code text: String, now: Date = Date()) async throws -> Cart {
        let code = text.trimmingWhitespace().uppercased()
        try await database.write { sql in
            try await Self.authorizeForChange(id: cartID, access: access, now: now, on: sql)
            let removed = try await sql.raw(
                """
                DELETE FROM cart_discounts WHERE cart_id = \(bind: cartID) AND discount_id IN (SELECT id FROM discounts WHERE code = \(bind: code))
                RETURNING discount_id
                """
            ).first()
            guard removed != nil else { throw Problem.notFound("This cart holds no code \(code.prefix(64)).") }
            try await Self.touch(cartID, now: now, on: sql)
        }
        return try await get(id: cartID, access: .staff, now: now)
    }
}

/// A code a cart holds, and whether it applies now.
public struct CartDiscountCode: Sendable, Encodable, Equatable {
    public let code: String
    public let applied: Bool
    /// Why it does not apply, when it does not.
    public let problem: String?
}
