import Foundation
import LeopardCore

/// A cart's or an order's totals as the API shows them: `total = subtotal − discount +
/// shipping + tax`, except that tax is inside the prices (and not added) when the store's
/// prices include it.
public struct Totals: Sendable, Encodable, Equatable {
    public let subtotal: Money
    public let discount: Money
    public let shipping: Money
    public let tax: Money
    public let total: Money

    init(_ result: Pricing.Result, currency: String) {
        func money(_ amount: Int) -> Money { Money(amount: amount, currency: currency) }
        (subtotal, discount, shipping, tax, total) = (
            money(result.subtotal), money(result.discount), money(result.shipping), money(result.tax), money(result.total)
        )
    }

    init(subtotal: Money, discount: Money, shipping: Money, tax: Money, total: Money) {
        (self.subtotal, self.discount, self.shipping, self.tax, self.total) = (subtotal, discount, shipping, tax, total)
    }
}

/// One tax on a cart or order: `{name: "DE 19 %", rate: 19, amount}`.
public struct TaxLine: Sendable, Codable, Equatable {
    public let name: String
    /// Percent.
    public let rate: Decimal
    public let amount: Money

    init(_ line: Pricing.TaxLine, currency: String) {
        (name, rate, amount) = (line.name, TaxRates.percent(line.partsPerMillion), Money(amount: line.amount, currency: currency))
    }
}

/// A discount on a cart or order, and what it took off.
public struct AppliedDiscount: Sendable, Codable, Equatable {
    public let id: String
    public let code: String?
    public let title: String
    public let amount: Money

    init(_ line: Pricing.DiscountLine, currency: String) {
        (id, code, title, amount) = (line.id, line.code, line.title, Money(amount: line.amount, currency: currency))
    }
}
