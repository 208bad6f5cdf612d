import Foundation
import LeopardStorage

/// Whether a store's payments move real money. A store is in test mode until its owner connects
/// Stripe with live keys; Stripe test keys (`sk_test_…`, `rk_test_…`) keep it in test mode, as
/// Stripe's own dashboard does.
public enum PaymentMode: String, Sendable, Codable {
    case test, live
}

/// How a store takes payments: its mode, the provider a card goes to, and whether the built-in
/// `test` gateway is open. The gateway is open only while no Stripe key is set: a store that
/// has connected Stripe (test or live keys) never takes the test card again.
public struct PaymentSetup: Sendable, Encodable, Equatable {
    public let mode: PaymentMode
    public let defaultProvider: String
    public let stripe: ProviderCredentials.View

    public init(stripe: ProviderCredentials.View) {
        self.stripe = stripe
        self.defaultProvider = stripe.configured ? StripeProvider.providerName : TestGateway.name
        let live = stripe.secretKeyHint.map { $0.hasPrefix("sk_live_") || $0.hasPrefix("rk_live_") } ?? false
        self.mode = stripe.configured && live ? .live : .test
    }

    /// Whether the built-in test gateway may take a payment.
    public var acceptsTestGateway: Bool { !stripe.configured }

    /// Whether the storefront can take cards with Stripe.js (the publishable key is set).
    public var takesStripeJS: Bool { stripe.configured && stripe.publishableKey != nil }

    public static func load(database: any DatabaseHandle) async throws -> PaymentSetup {
        PaymentSetup(stripe: try await ProviderCredentials.view(provider: StripeProvider.providerName, database: database))
    }

    /// What the admin's banner says while the store is in test mode; nil in live mode.
    public var testModeNotice: String? {
        guard mode == .test else { return nil }
        return stripe.configured
            ? "Stripe is connected with test keys: no real money moves. Replace them with live keys to take real payments."
            : "Shoppers can pay only with the test card and no real money moves. Connect Stripe to take real payments."
    }
}
