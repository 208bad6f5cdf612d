import Foundation
import LeopardCore
import SQLKit

/// Where a cart goes and how: its shipping address, the methods that ship there with their
/// prices for this cart, and the shopper's choice.
extension Carts {
    /// Sets the shipping address (checked as checkout checks it). A chosen method that does not
    /// ship there any more is forgotten.
    public func setAddress(cartID: String, access: CartAccess, address input: Address, now: Date = Date()) async throws -> Cart {
        let (address, errors) = input.validated(field: "shippingAddress")
        guard errors.isEmpty else { throw Problem.validation(errors) }
        try await database.write { sql in
            try await Self.authorizeForChange(id: cartID, access: access, items: false, now: now, on: sql)
            try await sql.raw("UPDATE carts SET shipping_address_json = \(bind: try JSONText.encode(address)) WHERE id = \(bind: cartID)").run()
            try await Self.touch(cartID, now: now, on: sql)
        }
        return try await get(id: cartID, access: .staff, now: now)
    }

    /// The methods that ship this cart to its address, with their prices for it; 409 before an
    /// address is set, 422 when the store does not ship there.
    public func shippingMethods(cartID: String, access: CartAccess, now: Date = Date()) async throws -> [ShippingOption] {
        try await database.read { sql in
            try await Self.authorize(id: cartID, access: access, now: now, on: sql)
            let priced = try await Self.priced(cartID: cartID, on: sql)
            return priced.options
        }
    }

    /// Chooses a method by id from those that ship this cart to its address.
    public func setShippingMethod(cartID: String, access: CartAccess, methodID: String, now: Date = Date()) async throws -> Cart {
        try await database.write { sql in
            try await Self.authorizeForChange(id: cartID, access: access, items: false, now: now, on: sql)
            let priced = try await Self.priced(cartID: cartID, on: sql)
            guard priced.options.contains(where: { $0.id == methodID }) else {
                throw Problem.invalid("id", "is not a shipping method for this cart's address")
            }
            try await sql.raw("UPDATE carts SET shipping_method_id = \(bind: methodID) WHERE id = \(bind: cartID)").run()
            try await Self.touch(cartID, now: now, on: sql)
        }
        return try await get(id: cartID, access: .staff, now: now)
    }

    /// The cart priced at its address; 409 without one, 422 outside every zone.
    static func priced(cartID: String, on sql: any SQLDatabase) async throws -> CartPricing.Priced {
        guard let settings = try await StoreSettings.load(on: sql) else { throw Problem.notFound("This store has no settings.") }
        let row = try await sql.raw("SELECT shipping_address_json, shipping_method_id, customer_id, email FROM carts WHERE id = \(bind: cartID)").first()
        guard let json = try row?.decode(column: "shipping_address_json", as: String?.self) else {
            throw Problem.conflict("Set the cart's shipping address first (PUT /api/carts/\(cartID.prefix(64))/address).")
        }
        let address = try JSONText.decode(Address.self, from: json)
        let lines = try await CartReader(sql: sql).lines(cartID: cartID, currency: settings.currency)
        // Priced as the cart is: bands by value and "free from" look at what discounts leave.
        let shopper = DiscountRules.Shopper(
            customerID: try row?.decode(column: "customer_id", as: String?.self), email: try row?.decode(column: "email", as: String?.self))
        let resolution = try await DiscountRules.resolve(cartID: cartID, lines: lines, shopper: shopper, currency: settings.currency, now: Date(), on: sql)
        let priced = try await CartPricing.price(
            lines, address: address, methodID: try row?.decode(column: "shipping_method_id", as: String?.self), discounts: resolution.pricing,
            terms: .init(settings), on: sql)
        if priced.outsideZones { throw Self.outsideZones(address) }
        return priced
    }

    /// The refusal for a cart no method of its address's zone can take.
    static let noMethod = Problem.validation(
        [.init(field: "shippingMethod", message: "none ships this cart to this address: it is heavier, or worth more, than the store's methods take")],
        detail: "No shipping method takes this cart to this address.")

    /// The refusal for an address no zone takes.
    static func outsideZones(_ address: Address) -> Problem {
        Problem.validation(
            [.init(field: "shippingAddress.country", message: "is not a place this store ships to")], detail: "This store does not ship to \(address.country).")
    }
}
