import LeopardCommerce
import LeopardCore
import LeopardPayments
import LeopardStorage

/// Shipping an order (all of it, or some lines), for the API and the admin alike. A store that
/// captures on fulfilment (Stripe's manual capture) has an order whose card was only authorized:
/// it is captured first, and the order becomes paid, then (partially) fulfilled. A capture Stripe
/// refuses leaves the order as it was.
public struct OrderFulfilment {
    public let providers: PaymentProviders

    public init(providers: PaymentProviders) {
        self.providers = providers
    }

    public func fulfil(orderID: String, _ input: FulfillmentInput = .init(), actor: String, database: any DatabaseHandle) async throws -> Order {
        // Checked before any capture: a bad line or tracking link must not take the shopper's money.
        try await Fulfillments(database: database).check(orderID: orderID, input)
        let payments = Payments(database: database)
        if let live = try await payments.live(orderID: orderID), live.provider == StripeProvider.providerName,
            let payment = try await payments.find(id: live.paymentID), payment.status == .authorized
        {
            let captured: ProviderPayment
            do {
                captured = try await providers.stripe(database: database).capture(
                    reference: live.reference, amount: payment.amount, idempotencyKey: "capture-\(live.paymentID)")
            } catch is ProviderFailure {
                throw Problem(
                    status: 502, type: "https://leopard.dev/problems/payment-provider", title: "Payment provider error",
                    detail: "Stripe did not capture the payment, so the order is not fulfilled. Try again in a moment.")
            }
            guard captured.status == .captured else {
                throw Problem.conflict("Stripe cannot capture this payment (it is \(captured.status.rawValue)); the order is not fulfilled.")
            }
            let applied = try await payments.apply(
                PaymentEvent(id: "capture-\(live.paymentID)", reference: live.reference, kind: .succeeded),
                provider: StripeProvider.providerName)
            if case .capturedAfterCancel = applied {
                // The order was cancelled while Stripe captured: the money goes back at once.
                _ = try await providers.stripe(database: database).refund(
                    reference: live.reference, amount: payment.amount, idempotencyKey: "late-capture-\(live.paymentID)")
                throw Problem.conflict("The order was cancelled while its payment was captured; the payment was refunded and the order is not fulfilled.")
            }
        }
        _ = try await Fulfillments(database: database).create(orderID: orderID, input, actor: actor)
        guard let order = try await Orders(database: database).find(id: orderID) else { throw Problem.notFound("There is no order \(orderID.prefix(64)).") }
        return order
    }
}
