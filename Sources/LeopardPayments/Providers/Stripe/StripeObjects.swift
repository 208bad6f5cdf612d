// Stripe's objects keep its snake_case field names, so they decode without key mapping.
// swift-format-ignore-file: AlwaysUseLowerCamelCase

import Foundation

/// The parts of Stripe's API objects the provider reads.
enum StripeObjects {
    struct PaymentIntent: Decodable {
        struct NextAction: Decodable {
            struct Redirect: Decodable { let url: String? }
            let type: String?
            let redirect_to_url: Redirect?
        }
        struct PaymentMethod: Decodable {
            struct Card: Decodable {
                let brand: String?
                let last4: String?
            }
            let card: Card?
        }
        struct LastError: Decodable { let message: String? }

        let id: String
        let status: String
        let amount: Int?
        /// What Stripe.js confirms the intent with in the shopper's browser (3-D Secure).
        let client_secret: String?
        let next_action: NextAction?
        let last_payment_error: LastError?
        /// An id, or the object when expanded.
        let payment_method: Expandable<PaymentMethod>?
    }

    struct Refund: Decodable {
        let id: String
        let status: String?
    }

    struct ErrorBody: Decodable {
        struct Detail: Decodable {
            let type: String?
            let code: String?
            let message: String?
            let payment_intent: PaymentIntent?
        }
        let error: Detail
    }

    /// A field Stripe returns as an id, or as the object with `expand[]`.
    enum Expandable<T: Decodable>: Decodable {
        case id(String)
        case object(T)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let id = try? container.decode(String.self) {
                self = .id(id)
            } else {
                self = .object(try container.decode(T.self))
            }
        }

        var object: T? {
            if case .object(let value) = self { return value }
            return nil
        }
    }
}
