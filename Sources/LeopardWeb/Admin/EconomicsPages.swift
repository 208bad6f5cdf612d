import Foundation
import LeopardCommerce
import LeopardCore

/// The admin's discounts: the list with how much each was used, and a form for a new one.
public struct DiscountsPage: Sendable {
    public struct Row: Sendable {
        public let id: String
        public let name: String
        public let kind: String
        public let value: String
        public let used: String
        public let status: String
    }

    public let rows: [Row]
    public let empty: Bool
    public let nextUrl: String?
    /// The form for a new discount.
    public let form: DiscountForm

    public init(page: Page<Discount>, currency: String, form: DiscountForm, now: Date = Date()) {
        rows = page.data.map { discount in
            let value: String
            switch discount.kind {
            case .percentage: value = "\(discount.value) %"
            case .fixed:
                let amount = NSDecimalNumber(decimal: discount.value).intValue
                value = MoneyText.format(Money(amount: amount, currency: currency)) + (discount.appliesTo == .item ? " each" : "")
            case .freeShipping: value = "free shipping"
            case .buyXGetY: value = "buy \(discount.buyQuantity ?? 1), get \(discount.getQuantity ?? 1) at \(discount.value) % off"
            }
            let expired = discount.endsAt.map { $0 <= now.stamp } ?? false
            return Row(
                id: discount.id, name: discount.code ?? "\(discount.title) (automatic)", kind: discount.kind.rawValue.replacingOccurrences(of: "_", with: " "),
                value: value, used: discount.usageLimit.map { "\(discount.timesUsed) of \($0)" } ?? String(discount.timesUsed),
                status: !discount.active ? "inactive" : expired ? "expired" : "active")
        }
        empty = page.data.isEmpty
        nextUrl = page.nextCursor.map { "/admin/discounts?cursor=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }
        self.form = form
    }
}

/// The admin's shipping zones with their methods, the tax rates, and whether prices include tax.
public struct ShippingTaxPage: Sendable {
    public struct Zone: Sendable {
        public let id: String
        public let name: String
        public let places: String
        public let methods: [String]
    }

    public struct Rate: Sendable {
        public let id: String
        public let place: String
        public let name: String
        public let rate: String
        public let taxClass: String
        public let shipping: Bool
    }

    public let zones: [Zone]
    public let rates: [Rate]
    public let pricesIncludeTax: Bool
    /// The form for a new zone.
    public let zoneForm: ZoneForm
    /// The tax rate form's values and errors.
    public let values: [String: String]
    public let errors: [String: String]
    public let general: String?

    public init(zones: [ShippingZone], rates: [TaxRates.Rate], pricesIncludeTax: Bool, values: [String: String], errors: FieldMessages) {
        self.zones = zones.map { zone in
            Zone(
                id: zone.id, name: zone.name, places: (zone.countries + zone.regions).joined(separator: ", "),
                methods: zone.methods.map { method in
                    var text = method.name + ": "
                    switch method.kind {
                    case .flat: text += method.rate.map(MoneyText.format) ?? ""
                    case .weight: text += method.bands.map { "up to \($0.upTo) g \(MoneyText.format($0.rate))" }.joined(separator: ", ")
                    case .price:
                        text += method.bands.map {
                            "up to \(MoneyText.format(Money(amount: $0.upTo, currency: $0.rate.currency))) \(MoneyText.format($0.rate))"
                        }.joined(separator: ", ")
                    }
                    return text + (method.freeOver.map { ", free from \(MoneyText.format($0))" } ?? "")
                })
        }
        self.rates = rates.map { rate in
            Rate(
                id: rate.id, place: rate.region.map { "\(rate.country)-\($0)" } ?? rate.country, name: rate.name, rate: "\(rate.rate) %",
                taxClass: rate.taxClass.rawValue, shipping: rate.appliesToShipping)
        }
        self.pricesIncludeTax = pricesIncludeTax
        zoneForm = ZoneForm(action: "/admin/shipping/zones", button: "Add zone", values: values, errors: errors)
        self.values = values
        self.errors = errors.messages
        general = errors.general
    }
}
