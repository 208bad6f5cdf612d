import Foundation
import LeopardCore
import LeopardPayments

/// Checks what a payment is made with before any provider is asked.
enum PaymentInputCheck {
    static func method(_ input: OrderPayments.PayInput, provider: String) throws -> PaymentMethodInput {
        if provider == TestGateway.name {
            guard let card = input.card else { throw Problem.invalid("card", "is required: the test provider takes card details") }
            return .testCard(card)
        }
        var errors: [Problem.FieldError] = []
        let method = input.paymentMethod ?? ""
        // `pm_…` from Stripe.js's createPaymentMethod, or a `card_…` (Stripe takes a Card's id
        // as a payment method; Stripe.js stand-ins without createPaymentMethod give a token's card).
        if !(method.hasPrefix("pm_") || method.hasPrefix("card_")) || method.count > 255
            || !method.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        {
            errors.append(.init(field: "paymentMethod", message: "must be a Stripe payment method id (pm_… or card_…)"))
        }
        if let url = input.returnUrl, !(url.hasPrefix("https://") || url.hasPrefix("http://")) || url.count > 2048 || URL(string: url) == nil {
            errors.append(.init(field: "returnUrl", message: "must be an absolute http or https URL"))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return .providerMethod(method)
    }
}
