import Foundation
import LeopardCore
import LeopardPayments
import LeopardStorage

/// Inbound payment webhooks for one store: the provider checks the signature on the raw bytes
/// with the store's secret before anything is parsed; the event is applied once.
struct PaymentWebhookReceiver {
    let database: any DatabaseHandle
    let providers: PaymentProviders

    func receive(provider name: String, signature: String?, body: Data, now: Date = Date()) async throws -> Payments.Applied {
        let provider = try await providers.provider(named: name, database: database)
        let event: PaymentEvent?
        do {
            event = try provider.event(from: body, signature: signature, now: now)
        } catch let refusal as WebhookRefusal {
            throw Problem.badRequest(refusal.description.prefix(1).uppercased() + refusal.description.dropFirst() + ".")
        }
        guard let event else { return .ignored }
        return try await Payments(database: database).apply(event, provider: name, now: now)
    }
}
