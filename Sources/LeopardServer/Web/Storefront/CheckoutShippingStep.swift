import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// The shipping part of the checkout form: the address is saved on the cart first (tax and
/// shipping depend on it), then the shopper picks a method from those that ship there. A store
/// with one way to ship to the address needs no extra step.
extension CheckoutPageRoutes {
    /// The ways to ship the cart to its address, priced; the store's flat rate before an
    /// address when it ships everywhere.
    func shippingOptions(_ visit: StorefrontVisit, cart: Cart) async throws -> [ShippingOption] {
        guard cart.shippingAddress != nil, cart.shipsToAddress, let cookie = visit.cartCookie else { return cart.shippingMethod.map { [$0] } ?? [] }
        do {
            return try await Carts(database: visit.database).shippingMethods(cartID: cookie.id, access: .secret(cookie.secret))
        } catch let problem as Problem where problem.status < 500 {
            return []
        }
    }

    /// Saves the form's address and chosen method on the cart. Returns the page to show instead
    /// of placing the order: the form's field errors, or the methods to choose from when there
    /// is more than one and the shopper has not chosen yet.
    func prepareShipping(
        _ visit: StorefrontVisit, cookie: (id: String, secret: String), fields: FormFields, input: Checkout.Input, values: [String: String]
    ) async throws
        -> Response?
    {
        let carts = Carts(database: visit.database)
        let access = CartAccess.secret(cookie.secret)
        do {
            var cart = try await carts.setAddress(cartID: cookie.id, access: access, address: input.shippingAddress)
            guard cart.shipsToAddress else { return nil }
            let options = try await carts.shippingMethods(cartID: cookie.id, access: access)
            if let chosen = fields.text("shippingMethod"), options.contains(where: { $0.id == chosen }) {
                if cart.shippingMethod?.id != chosen { cart = try await carts.setShippingMethod(cartID: cookie.id, access: access, methodID: chosen) }
            } else if options.count > 1 {
                return try await form(visit, cart: cart, values: values, errors: FieldMessages(), shippingNote: "Choose how to ship to this address.")
            }
            return nil
        } catch let problem as Problem where problem.status < 500 {
            guard let cart = await visit.anyCart() else { return pages.redirect(to: "/cart") }
            return try await form(
                visit, cart: cart, values: values, errors: FieldMessages(form: problem, field: Self.formField), status: .unprocessableContent)
        }
    }
}
