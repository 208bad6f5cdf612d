import Foundation
import LeopardCore

/// The built-in `test` provider: no network, Stripe's documented test cards. Only the brand and
/// last four digits of a card are kept. Outcomes are reported later through the store's signed
/// webhook route, like a real provider's.
public enum TestGateway {
    public static let name = "test"

    public struct Card: Codable, Sendable {
        public var number: String
        public var expMonth: Int
        public var expYear: Int
        public var cvc: String

        public init(number: String, expMonth: Int, expYear: Int, cvc: String) {
            self.number = number
            self.expMonth = expMonth
            self.expYear = expYear
            self.cvc = cvc
        }
    }

    public enum Result: Sendable, Equatable {
        case succeeded
        case declined(String)
        case requiresAction
    }

    public struct Charge: Sendable {
        public let reference: String
        public let brand: String
        public let last4: String
        public let result: Result
    }

    /// Stripe's test numbers and what they do; other valid numbers succeed.
    static let outcomes: [String: Result] = [
        "4242424242424242": .succeeded,
        "4000000000000002": .declined("Your card was declined."),
        "4000002500003155": .requiresAction,
        "4000000000009995": .declined("Your card has insufficient funds."),
    ]

    /// Checks the card (422 naming the field) and decides the outcome.
    public static func charge(_ card: Card, now: Date = Date()) throws(Problem) -> Charge {
        var errors: [Problem.FieldError] = []
        let digits = card.number.filter { $0 != " " && $0 != "-" }
        if !(12...19).contains(digits.count) || !digits.allSatisfy(\.isASCII) || !digits.allSatisfy(\.isNumber) || !luhn(digits) {
            errors.append(.init(field: "card.number", message: "is not a valid card number"))
        }
        if !(1...12).contains(card.expMonth) { errors.append(.init(field: "card.expMonth", message: "must be 1 to 12")) }
        let calendar = Calendar(identifier: .gregorian)
        let year = calendar.component(.year, from: now)
        let month = calendar.component(.month, from: now)
        let expYear = card.expYear < 100 ? 2000 + card.expYear : card.expYear
        if expYear < year || (expYear == year && card.expMonth < month) || expYear > year + 30 {
            errors.append(.init(field: "card.expYear", message: "the card has expired"))
        }
        if !(3...4).contains(card.cvc.count) || !card.cvc.allSatisfy({ $0.isASCII && $0.isNumber }) {
            errors.append(.init(field: "card.cvc", message: "must be 3 or 4 digits"))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return Charge(
            reference: "pi_test_" + SecureToken.make(bytes: 12), brand: brand(digits), last4: String(digits.suffix(4)), result: outcomes[digits] ?? .succeeded)
    }

    static func luhn(_ digits: String) -> Bool {
        var sum = 0
        for (index, character) in digits.reversed().enumerated() {
            guard var value = character.wholeNumberValue else { return false }
            if index % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }

    static func brand(_ digits: String) -> String {
        if digits.hasPrefix("4") { return "visa" }
        if let two = Int(digits.prefix(2)), (51...55).contains(two) { return "mastercard" }
        if digits.hasPrefix("34") || digits.hasPrefix("37") { return "amex" }
        return "card"
    }
}
