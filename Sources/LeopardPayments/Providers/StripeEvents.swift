// Stripe's objects keep its snake_case field names, so they decode without key mapping.
// swift-format-ignore-file: AlwaysUseLowerCamelCase

import Foundation

/// Stripe-shaped webhook events (the `test` provider sends the same shape), mapped to payment
/// events: `payment_intent.succeeded`, `payment_intent.payment_failed`,
/// `payment_intent.canceled`, `charge.refunded`. Other types are acknowledged and ignored.
public enum StripeEvents {
    struct Envelope: Decodable {
        struct DataBox: Decodable { let object: Object }
        struct Object: Decodable {
            struct LastError: Decodable { let message: String? }
            let id: String
            let payment_intent: String?
            let amount_refunded: Int?
            let last_payment_error: LastError?
        }
        let id: String
        let type: String
        let data: DataBox
    }

    public struct Unreadable: Error {}

    /// The payment event in a verified body; nil for event types payments do not use.
    public static func parse(_ body: Data) throws -> PaymentEvent? {
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: body) else { throw Unreadable() }
        let object = envelope.data.object
        switch envelope.type {
        case "payment_intent.succeeded":
            return PaymentEvent(id: envelope.id, reference: object.id, kind: .succeeded)
        case "payment_intent.amount_capturable_updated":
            // Authorized and waiting for the capture (a store that captures on fulfilment).
            return PaymentEvent(id: envelope.id, reference: object.id, kind: .authorized)
        case "payment_intent.payment_failed":
            return PaymentEvent(id: envelope.id, reference: object.id, kind: .failed(message: object.last_payment_error?.message))
        case "payment_intent.canceled":
            return PaymentEvent(id: envelope.id, reference: object.id, kind: .cancelled)
        case "charge.refunded":
            guard let intent = object.payment_intent, let total = object.amount_refunded else { throw Unreadable() }
            return PaymentEvent(id: envelope.id, reference: intent, kind: .refunded(total: total))
        default:
            return nil
        }
    }

    /// A Stripe-shaped event body, as the `test` provider sends it.
    public static func body(id: String, type: String, reference: String, amountRefunded: Int? = nil, failure: String? = nil) -> Data {
        var object: [String: Any] = ["id": type == "charge.refunded" ? "ch_" + reference.dropFirst(3) : reference]
        if type == "charge.refunded" {
            object["payment_intent"] = reference
            object["amount_refunded"] = amountRefunded ?? 0
        }
        if let failure { object["last_payment_error"] = ["message": failure] }
        let event: [String: Any] = ["id": id, "object": "event", "type": type, "data": ["object": object]]
        return (try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])) ?? Data()
    }
}
