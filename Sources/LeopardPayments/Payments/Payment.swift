import LeopardCore

public struct Payment: Sendable, Encodable {
    public struct NextAction: Sendable, Codable, Equatable {
        public var type: String
        public var url: String
        /// For `use_stripe_sdk`: what Stripe.js (`confirmCardPayment`) or a mobile SDK confirms
        /// the extra step with. Given only to the shopper holding the order's cart secret.
        public var clientSecret: String?

        public init(type: String, url: String, clientSecret: String? = nil) {
            self.type = type
            self.url = url
            self.clientSecret = clientSecret
        }
    }

    public var id: String
    public var orderId: String
    public var provider: String
    public var status: PaymentStatus
    public var amount: Money
    public var captured: Money
    public var refunded: Money
    public var cardBrand: String?
    public var cardLast4: String?
    public var nextAction: NextAction?
    public var failureMessage: String?
    public var createdAt: String
    public var updatedAt: String
}

/// A provider's report about a payment, from a verified webhook.
public struct PaymentEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case succeeded
        /// Authorized, waiting for a capture (manual capture after the bank's step).
        case authorized
        case failed(message: String?)
        case cancelled
        /// The total refunded so far, in minor units.
        case refunded(total: Int)
    }

    public var id: String
    public var reference: String
    public var kind: Kind

    public init(id: String, reference: String, kind: Kind) {
        self.id = id
        self.reference = reference
        self.kind = kind
    }
}
