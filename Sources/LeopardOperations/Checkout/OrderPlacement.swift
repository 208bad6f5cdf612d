import Foundation
import LeopardCommerce
import LeopardCore
import LeopardStorage

/// Placing an order from a cart, for the API's checkout route and the checkout page alike: the
/// input is checked, the order made in one transaction (with the request's idempotency key
/// when it has one), and a new order counted once.
public struct OrderPlacement: Sendable {
    public let providers: PaymentProviders
    public let metrics: PlatformMetrics

    public init(providers: PaymentProviders, metrics: PlatformMetrics) {
        self.providers = providers
        self.metrics = metrics
    }

    /// A placed order, and whether this request made it (a cart already ordered gives its order).
    public struct Placed: Sendable {
        public let order: Order
        public let created: Bool
    }

    public func place(
        cartID: String, access: CartAccess, input: Checkout.Input, customerID: String?, idempotency: IdempotentRequest?,
        database: any DatabaseHandle
    ) async throws -> IdempotentOutcome<Placed> {
        _ = try Checkout.validate(input)
        let checkout = Checkout(database: database)
        let cardProvider = try await providers.defaultProvider(database: database)
        guard let idempotency else {
            let result = try await database.write { sql in
                try await checkout.complete(cartID: cartID, access: access, input: input, customerID: customerID, cardProvider: cardProvider, on: sql)
            }
            if result.created { metrics.orderCreated() }
            return .value(Placed(order: result.order, created: result.created))
        }
        let stored = try await IdempotencyKeys(database: database).perform(key: idempotency.key, fingerprint: idempotency.fingerprint) { sql in
            let result = try await checkout.complete(cartID: cartID, access: access, input: input, customerID: customerID, cardProvider: cardProvider, on: sql)
            return (result.created ? 201 : 200, try String(decoding: JSONBodyEncoder.encode(result.order), as: UTF8.self))
        }
        // Counted here, not in the transaction's body, which a group commit may run twice.
        if stored.status == 201, !stored.replayed { metrics.orderCreated() }
        return .stored(stored)
    }
}
