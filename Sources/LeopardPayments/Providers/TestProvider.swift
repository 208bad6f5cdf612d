import Foundation
import LeopardCore

/// The built-in `test` provider behind the `PaymentProvider` interface: Stripe's test cards,
/// no network. Its outcomes reach the store as signed events (see `PaymentWebhookRelay`).
public struct TestProvider: PaymentProvider {
    public let name = TestGateway.name
    /// The store's signing secret for this provider's events.
    public let webhookSecret: String

    public init(webhookSecret: String) {
        self.webhookSecret = webhookSecret
    }

    public func start(_ request: PaymentRequest) async throws -> ProviderPayment {
        guard case .testCard(let card) = request.method else {
            throw Problem.invalid("card", "is required: the test provider takes card details")
        }
        let charge = try TestGateway.charge(card)
        var payment = ProviderPayment(reference: charge.reference, status: .authorized, cardBrand: charge.brand, cardLast4: charge.last4)
        switch charge.result {
        case .succeeded: break
        case .declined(let message):
            payment.status = .failed
            payment.failureMessage = message
        case .requiresAction:
            payment.status = .requiresAction
        }
        return payment
    }

    public func capture(reference: String, amount: Money, idempotencyKey: String) async throws -> ProviderPayment {
        ProviderPayment(reference: reference, status: .captured)
    }

    public func refund(reference: String, amount: Money, idempotencyKey: String) async throws -> ProviderRefund {
        ProviderRefund(reference: "re_test_" + SecureToken.make(bytes: 12), status: "succeeded")
    }

    public func cancel(reference: String, idempotencyKey: String) async throws -> ProviderPayment {
        ProviderPayment(reference: reference, status: .cancelled)
    }

    public func event(from body: Data, signature: String?, now: Date) throws -> PaymentEvent? {
        try verifiedStripeEvent(body, signature: signature, secret: webhookSecret, now: now)
    }
}
