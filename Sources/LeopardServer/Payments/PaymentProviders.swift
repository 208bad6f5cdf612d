import AsyncHTTPClient
import Foundation
import LeopardCore
import LeopardPayments
import LeopardStorage

/// Finds a store's payment provider by name: the built-in `test` provider always, `stripe` once
/// the store has its keys.
struct PaymentProviders: Sendable {
    static let names = [TestGateway.name, StripeProvider.providerName]

    let client: HTTPClient
    let secrets: SecretBox
    let stripeBase: String

    /// 404 for a provider that does not exist or that this store has not set up.
    func provider(named name: String, database: any DatabaseHandle) async throws -> any PaymentProvider {
        switch name {
        case TestGateway.name:
            return TestProvider(webhookSecret: try await Payments(database: database).webhookSecret(provider: TestGateway.name))
        case StripeProvider.providerName:
            guard let keys = try await ProviderCredentials(database: database, secrets: secrets).keys(provider: name) else {
                throw Problem.notFound("This store has not set up Stripe.")
            }
            return StripeProvider(secretKey: keys.secretKey, webhookSecret: keys.webhookSecret, baseURL: stripeBase, client: client)
        default:
            throw Problem.notFound("There is no payment provider \(name.prefix(32)).")
        }
    }

    /// Stripe when the store has set it up, else `test`.
    func defaultProvider(database: any DatabaseHandle) async throws -> String {
        try await ProviderCredentials(database: database, secrets: secrets).view(provider: StripeProvider.providerName).configured ? StripeProvider.providerName : TestGateway.name
    }
}
