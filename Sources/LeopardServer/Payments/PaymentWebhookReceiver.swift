import Foundation
import LeopardCore
import LeopardPayments
import LeopardStorage

/// Inbound payment webhooks for one store: the signature is checked on the raw bytes with the
/// store's secret for that provider before anything is parsed; the event is applied once.
struct PaymentWebhookReceiver {
    static let providers: Set<String> = [TestGateway.name]

    let database: any DatabaseHandle

    func receive(provider: String, signature: String?, body: Data, now: Date = Date()) async throws -> Payments.Applied {
        guard Self.providers.contains(provider) else { throw Problem.notFound("There is no payment provider \(provider.prefix(32)).") }
        let payments = Payments(database: database)
        let secret = try await payments.webhookSecret(provider: provider)
        do {
            try WebhookSignature.verify(header: signature, body: body, secret: secret, now: now)
        } catch {
            throw Problem.badRequest("The webhook signature is not valid: \(error.description).")
        }
        let event: PaymentEvent?
        do {
            event = try StripeEvents.parse(body)
        } catch {
            throw Problem.badRequest("The webhook body is not an event this endpoint understands.")
        }
        guard let event else { return .ignored }
        return try await payments.apply(event, provider: provider, now: now)
    }
}
