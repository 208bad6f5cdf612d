import Foundation
import LeopardCore

/// What the shopper pays with, in the form each provider takes.
public enum PaymentMethodInput: Sendable {
    /// The `test` provider's card details (only brand and last four digits are kept).
    case testCard(TestGateway.Card)
    /// A provider-side payment method, e.g. Stripe's `pm_…` from Stripe.js (card numbers never
    /// reach the platform).
    case providerMethod(String)
}

public struct PaymentRequest: Sendable {
    public var orderID: String
    public var amount: Money
    public var method: PaymentMethodInput
    /// Sent to the provider, so a retried request cannot charge twice.
    public var idempotencyKey: String
    /// Where the provider sends the shopper back after an extra step.
    public var returnURL: String?

    public init(orderID: String, amount: Money, method: PaymentMethodInput, idempotencyKey: String, returnURL: String?) {
        self.orderID = orderID
        self.amount = amount
        self.method = method
        self.idempotencyKey = idempotencyKey
        self.returnURL = returnURL
    }
}

/// A provider's answer about a payment.
public struct ProviderPayment: Sendable, Equatable {
    public var reference: String
    public var status: PaymentStatus
    public var cardBrand: String?
    public var cardLast4: String?
    /// Where the shopper completes an extra step (3-D Secure), when `requiresAction`.
    public var nextActionURL: String?
    public var failureMessage: String?
    /// The secret Stripe.js confirms an extra step with in the browser, when `requiresAction`.
    public var clientSecret: String?

    public init(
        reference: String, status: PaymentStatus, cardBrand: String? = nil, cardLast4: String? = nil, nextActionURL: String? = nil,
        failureMessage: String? = nil,
        clientSecret: String? = nil
    ) {
        self.clientSecret = clientSecret
        self.reference = reference
        self.status = status
        self.cardBrand = cardBrand
        self.cardLast4 = cardLast4
        self.nextActionURL = nextActionURL
        self.failureMessage = failureMessage
    }
}

public struct ProviderRefund: Sendable, Equatable {
    public var reference: String
    public var status: String
}

/// The provider could not be reached or refused the request for a reason that is not the
/// shopper's card (bad keys, an outage): a 502 for the caller, nothing recorded.
public struct ProviderFailure: Error, Sendable, CustomStringConvertible {
    public var provider: String
    public var statusCode: Int?
    public var message: String
    public var description: String { "\(provider): \(message)" }
}

/// A payment gateway: start a payment for an order (create and confirm), capture, refund, cancel,
/// and turn a webhook, once its signature is verified, into an event.
public protocol PaymentProvider: Sendable {
    var name: String { get }
    func start(_ request: PaymentRequest) async throws -> ProviderPayment
    func capture(reference: String, amount: Money, idempotencyKey: String) async throws -> ProviderPayment
    func refund(reference: String, amount: Money, idempotencyKey: String) async throws -> ProviderRefund
    func cancel(reference: String, idempotencyKey: String) async throws -> ProviderPayment
    /// Verifies `signature` on the raw body before anything is parsed; nil for event types that
    /// do not concern payments.
    func event(from body: Data, signature: String?, now: Date) throws -> PaymentEvent?
}

/// Why a webhook was refused.
public enum WebhookRefusal: Error, Sendable, CustomStringConvertible {
    case signature(WebhookSignature.Failure)
    case unreadable

    public var description: String {
        switch self {
        case .signature(let failure): return "the webhook signature is not valid: \(failure.description)"
        case .unreadable: return "the webhook body is not an event this endpoint understands"
        }
    }
}

extension PaymentProvider {
    /// The Stripe-style verification and parsing both built-in providers use.
    func verifiedStripeEvent(_ body: Data, signature: String?, secret: String, now: Date) throws -> PaymentEvent? {
        do {
            try WebhookSignature.verify(header: signature, body: body, secret: secret, now: now)
        } catch {
            throw WebhookRefusal.signature(error)
        }
        do {
            return try StripeEvents.parse(body)
        } catch {
            throw WebhookRefusal.unreadable
        }
    }
}
