import AsyncHTTPClient
import Foundation
import LeopardCore
import LeopardPayments
import LeopardStorage

/// Finds a store's payment provider by name: the built-in `test` provider always, `stripe` once
/// the store has its keys.
public struct PaymentProviders: Sendable {
    static let names = [TestGateway.name, StripeProvider.providerName]

    let client: HTTPClient
    public let secrets: SecretBox
    let stripeBase: String

    /// 404 for a provider that does not exist or that this store has not set up; the `test`
    /// gateway is refused (422) once the store has connected Stripe, whatever asks for it.
    /// `forEvents` opens the test gateway's signed events of payments begun while it was open
    /// (connecting Stripe cancels those still under way, so their events change nothing).
    func provider(named name: String, database: any DatabaseHandle, forEvents: Bool = false) async throws -> any PaymentProvider {
        switch name {
        case TestGateway.name:
            if !forEvents, try await !setup(database: database).acceptsTestGateway { throw Self.testGatewayClosed }
            return TestProvider(webhookSecret: try await Payments(database: database).webhookSecret(provider: TestGateway.name))
        case StripeProvider.providerName:
            return try await stripe(database: database)
        default:
            throw Problem.notFound("There is no payment provider \(name.prefix(32)).")
        }
    }

    /// The store's Stripe; 404 when it has not set it up.
    public func stripe(database: any DatabaseHandle) async throws -> StripeProvider {
        guard let keys = try await ProviderCredentials(database: database, secrets: secrets).keys(provider: StripeProvider.providerName) else {
            throw Problem.notFound("This store has not set up Stripe.")
        }
        return StripeProvider(
            secretKey: keys.secretKey, webhookSecret: keys.webhookSecret, baseURL: stripeBase, client: client,
            manualCapture: keys.captureMethod == "manual")
    }

    /// Stripe when the store has set it up, else `test`.
    func defaultProvider(database: any DatabaseHandle) async throws -> String {
        try await setup(database: database).defaultProvider
    }

    /// The store's payment mode and providers.
    public func setup(database: any DatabaseHandle) async throws -> PaymentSetup {
        try await PaymentSetup.load(database: database)
    }

    /// The answer to a test-card payment on a store that has connected Stripe: nothing is
    /// charged or recorded.
    static let testGatewayClosed = Problem(
        status: 422, type: "https://leopard.dev/problems/test-mode-off", title: "Test payments are off",
        detail: "This store takes card payments through Stripe; the built-in test gateway and its test cards are refused.",
        errors: [.init(field: "provider", message: "the test provider is off once Stripe is connected; pay with a Stripe payment method")])
}
