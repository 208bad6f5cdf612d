import LeopardCore

/// Prices as shoppers read them: `$12.50`, `€9.00`, `¥1200`, or `12.50 CHF` for currencies
/// without a well-known symbol. Amounts stay integers until this point.
public enum MoneyText {
    static let symbols: [String: String] = ["USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$", "INR": "₹"]

    public static func format(_ money: Money) -> String {
        format(amount: money.amount, currency: money.currency)
    }

    public static func format(amount: Int, currency: String) -> String {
        let digits = Currency.minorUnits[currency] ?? 2
        let negative = amount < 0
        let magnitude = amount.magnitude
        var text: String
        if digits == 0 {
            text = String(magnitude)
        } else {
            var divisor: UInt = 1
            for _ in 0..<digits { divisor *= 10 }
            let whole = magnitude / divisor
            let fraction = String(magnitude % divisor)
            text = "\(whole).\(String(repeating: "0", count: digits - fraction.count))\(fraction)"
        }
        if let symbol = symbols[currency] {
            text = symbol + text
        } else {
            text += " " + currency
        }
        return negative ? "−" + text : text
    }

    /// The amount as a merchant types it in a form (`12.50`), or nil for a blank.
    public static func decimal(_ amount: Int, currency: String) -> String {
        let digits = Currency.minorUnits[currency] ?? 2
        guard digits > 0 else { return String(amount) }
        var divisor = 1
        for _ in 0..<digits { divisor *= 10 }
        let fraction = String(amount.magnitude % UInt(divisor))
        return "\(amount < 0 ? "-" : "")\(amount.magnitude / UInt(divisor)).\(String(repeating: "0", count: digits - fraction.count))\(fraction)"
    }

    /// Reads a price typed in a form (`12`, `12.5`, `12.50`) into minor units, or nil.
    public static func parse(_ text: String, currency: String) -> Int? {
        let digits = Currency.minorUnits[currency] ?? 2
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty, trimmed.count <= 18 else { return nil }
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let wholePart = parts.first, !wholePart.isEmpty, wholePart.allSatisfy(\.isASCIIDigit), let whole = Int(wholePart) else {
            return nil
        }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.allSatisfy(\.isASCIIDigit), fraction.count <= digits else { return nil }
        fraction += String(repeating: "0", count: digits - fraction.count)
        var multiplier = 1
        for _ in 0..<digits { multiplier *= 10 }
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { return nil }
        return scaled + (Int(fraction) ?? 0)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
