import LeopardCommerce
import LeopardCore
import LeopardPayments
import LeopardStorage
import Logging

/// Refunding an order, in full or in part, for the API and the admin alike. A Stripe payment
/// is refunded with Stripe first; the refund is then recorded (and stock put back on request).
public struct OrderRefunds: Sendable {
    public let providers: PaymentProviders

    public init(providers: PaymentProviders) {
        self.providers = providers
    }

    public struct Input: Codable, Sendable {
        public var amount: Int?
        var restock: Bool?
        /// A return to refund: the amount defaults to what is left of it.
        public var returnId: String?
        /// With `returnId`: the order's shipping is refunded too (once per order).
        public var includeShipping: Bool?

        public init(amount: Int? = nil, restock: Bool? = nil, returnId: String? = nil, includeShipping: Bool? = nil) {
            self.amount = amount
            self.restock = restock
            self.returnId = returnId
            self.includeShipping = includeShipping
        }
    }

    public func refund(orderID: String, input: Input, actor: String, database: any DatabaseHandle, logger: Logger) async throws -> Payments.Refund {
        let payments = Payments(database: database)
        let share = try await ReturnRefund.plan(orderID: orderID, input: input, database: database)
        let check = try await payments.refundable(orderID: orderID, amount: share?.amount ?? input.amount)
        // Restocking puts every line back: it goes with a refund of all that is left, not part of it.
        if input.restock == true, input.amount != nil, try await payments.refundable(orderID: orderID, amount: nil).amount.amount > check.amount.amount {
            throw Problem.invalid(
                "restock", "goes with a refund of all that is left; refund part of an order without restocking, and correct stock on the product")
        }
        try await share?.reserve(orderID: orderID, actor: actor, database: database)
        let viaStripe = check.provider == StripeProvider.providerName
        if viaStripe {
            // The provider refunds first (the key names the payment, the total refunded so far,
            // the amount and the return, so identical requests racing refund once); the refund
            // is then recorded on top of that total only (see `Payments.refund`).
            do {
                _ = try await providers.provider(named: check.provider, database: database)
                    .refund(
                        reference: check.reference, amount: check.amount,
                        idempotencyKey: "refund-\(check.paymentID)-\(check.refundedBefore)-\(check.amount.amount)-\(share?.returnID ?? "order")")
            } catch let failure as ProviderFailure {
                await share?.release(orderID: orderID, database: database, logger: logger)
                throw OrderPayments.providerProblem(failure, logger: logger)
            }
        }
        do {
            return try await payments.refund(
                orderID: orderID, amount: check.amount.amount, restock: input.restock ?? false, actor: actor,
                refundedBefore: viaStripe ? check.refundedBefore : nil)
        } catch {
            // Money moved at Stripe stays counted against the return; nothing moved otherwise.
            if !viaStripe { await share?.release(orderID: orderID, database: database, logger: logger) }
            throw error
        }
    }
}
