import Foundation
import LeopardCore
import LeopardPayments
import LeopardStorage
import Logging

/// Inbound payment webhooks for one store: the provider checks the signature on the raw bytes
/// with the store's secret before anything is parsed; the event is applied once.
public struct PaymentWebhookReceiver {
    let database: any DatabaseHandle
    public let providers: PaymentProviders
    public let logger: Logger

    public init(database: any DatabaseHandle, providers: PaymentProviders, logger: Logger) {
        self.database = database
        self.providers = providers
        self.logger = logger
    }

    public func receive(provider name: String, signature: String?, body: Data, now: Date = Date()) async throws -> Payments.Applied {
        let provider = try await providers.provider(named: name, database: database, forEvents: true)
        let event: PaymentEvent?
        do {
            event = try provider.event(from: body, signature: signature, now: now)
        } catch let refusal as WebhookRefusal {
            throw Problem.badRequest(refusal.description.prefix(1).uppercased() + refusal.description.dropFirst() + ".")
        }
        guard let event else { return .ignored }
        let payments = Payments(database: database)
        let applied = try await payments.apply(event, provider: name, now: now)
        if case .capturedAfterCancel(let paymentID, _) = applied, name != TestGateway.name, let payment = try await payments.find(id: paymentID) {
            // Money taken for a cancelled order goes straight back, once per payment (the key).
            // If the refund does not happen now, the event is forgotten and answered 502, so the
            // provider sends it again and the refund is tried again.
            do {
                _ = try await provider.refund(reference: event.reference, amount: payment.amount, idempotencyKey: "late-capture-\(paymentID)")
            } catch {
                logger.critical(
                    "a capture for a cancelled order could not be refunded yet; the provider's retry tries again, else refund it in the provider's dashboard",
                    metadata: [
                        "payment": .string(paymentID), "provider": .string(name), "error": .string(String(describing: error).prefix(300).description),
                    ])
                try await payments.forgetReceipt(provider: name, eventID: event.id)
                throw Problem(
                    status: 502, type: "https://leopard.dev/problems/payment-provider", title: "Payment provider error",
                    detail: "The refund of a capture for a cancelled order did not go through yet; send the event again.")
            }
        }
        return applied
    }
}
