/// An amount of money in integer minor units (cents) of an ISO 4217 currency. Never a `Double`.
public struct Money: Codable, Sendable, Equatable, Hashable {
    public var amount: Int
    public var currency: String

    public init(amount: Int, currency: String) {
        self.amount = amount
        self.currency = currency
    }

    /// The largest amount the API accepts anywhere: a trillion minor units. Sums of many such
    /// amounts still fit in 64 bits, so totals never overflow.
    public static let maximumAmount = 1_000_000_000_000
}

/// Money as the API accepts it: either a whole number of minor units in the store's currency
/// (the flat shape, `"price": 1999`) or `{"amount": 1999, "currency": "USD"}`.
public struct MoneyInput: Decodable, Sendable, Equatable {
    public var amount: Int
    public var currency: String?

    public init(amount: Int, currency: String? = nil) {
        self.amount = amount
        self.currency = currency
    }

    enum CodingKeys: String, CodingKey { case amount, currency }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let amount = try? single.decode(Int.self) {
            self.amount = amount
            self.currency = nil
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.amount = try container.decode(Int.self, forKey: .amount)
        self.currency = try container.decodeIfPresent(String.self, forKey: .currency)
    }

    /// Field errors for this amount in a store that trades in `storeCurrency`.
    public func problems(field: String, storeCurrency: String, allowZero: Bool = true) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        if amount < (allowZero ? 0 : 1) || amount > Money.maximumAmount {
            errors.append(.init(field: field + ".amount", message: "must be a whole number of minor units from \(allowZero ? 0 : 1) to \(Money.maximumAmount)"))
        }
        if let currency, currency.uppercased() != storeCurrency {
            errors.append(.init(field: field + ".currency", message: "must be the store's currency, \(storeCurrency)"))
        }
        return errors
    }
}

/// ISO 4217 currency codes the platform trades in, with their minor-unit digits.
public enum Currency {
    public static let minorUnits: [String: Int] = [
        "AED": 2, "ARS": 2, "AUD": 2, "BGN": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0,
        "CNY": 2, "COP": 2, "CZK": 2, "DKK": 2, "EGP": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2,
        "IDR": 2, "ILS": 2, "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0, "KES": 2, "KRW": 0, "KWD": 3,
        "MAD": 2, "MXN": 2, "MYR": 2, "NGN": 2, "NOK": 2, "NZD": 2, "OMR": 3, "PEN": 2, "PHP": 2,
        "PKR": 2, "PLN": 2, "QAR": 2, "RON": 2, "RSD": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2,
        "TND": 3, "TRY": 2, "TWD": 2, "UAH": 2, "USD": 2, "VND": 0, "ZAR": 2,
    ]

    public static func isKnown(_ code: String) -> Bool { minorUnits[code] != nil }
}
