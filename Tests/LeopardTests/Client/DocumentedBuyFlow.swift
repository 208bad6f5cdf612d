// The buy flow from docs/client.md, word for word, so the documented code compiles and runs
// (LeopardClientTests.documentedBuyFlow checks both). Change both together.
import Foundation
import LeopardClient
import LeopardStoreAPI

func buy(variantID: String, from store: Store) async throws -> Components.Schemas.Order {
    // A cart: its secret is the shopper's key to it.
    let cart = try await store.api.createCart().created.body.json
    guard let secret = cart.secret else { throw CheckoutRefused(status: 0, title: "no cart secret", fields: []) }
    let shopper = store.with(cartSecret: secret)
    _ = try await shopper.api.addCartItem(
        path: .init(cartId: cart.id), body: .json(.init(quantity: 1, variantId: variantID))
    ).ok

    // Checkout: one Idempotency-Key per tap of "Place order", reused when retrying it.
    let address = Components.Schemas.Address(
        city: "Springfield", country: .us, line1: "1 Main St", name: "Ada Shopper", postalCode: "12345")
    let order: Components.Schemas.Order
    switch try await shopper.api.checkout(
        path: .init(cartId: cart.id), headers: .init(idempotencyKey: UUID().uuidString),
        body: .json(.init(email: "ada@example.com", paymentMethod: .card, shippingAddress: address)))
    {
    case .created(let placed): order = try placed.body.json  // placed now
    case .ok(let again): order = try again.body.json  // placed by an earlier try with the same key
    case .default(let status, let refusal):
        let problem = try refusal.body.applicationProblemJson
        throw CheckoutRefused(status: status, title: problem.title, fields: problem.errors ?? [])  // 422: which field, and why
    }

    // Pay: the test provider's card here; with Stripe, a payment method id from Stripe's SDK.
    let card = Components.Schemas.PayInput.CardPayload(cvc: "123", expMonth: 12, expYear: 2030, number: "4242424242424242")
    _ = try await shopper.api.payOrder(path: .init(orderId: order.id), body: .json(.init(card: card))).created

    // The capture follows the answer by a moment: wait for the order to say so.
    for _ in 0..<20 {
        let current = try await shopper.api.getOrder(path: .init(orderId: order.id)).ok.body.json
        if current.status == .paid { return current }
        try await Task.sleep(for: .milliseconds(250))
    }
    return order
}

struct CheckoutRefused: Error {
    let status: Int
    let title: String
    let fields: [Components.Schemas.FieldError]
}
