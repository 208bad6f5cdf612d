import LeopardCommerce
import LeopardCore

/// The order summary beside the cart, checkout and payment pages and on the confirmation: the
/// lines, then subtotal, each discount, shipping with its method, each tax (or the taxes the
/// prices include, under the total), and the total.
public struct OrderSummary: Sendable {
    public struct Line: Sendable {
        public let title: String
        public let quantity: Int
        public let total: String
    }

    public struct Row: Sendable {
        public let label: String
        public let amount: String
        public let total: Bool
    }

    public let lines: [Line]
    public let rows: [Row]
    /// Taxes inside the prices, shown under the total.
    public let included: [Row]
    public let total: String

    public init(cart: Cart) {
        lines = cart.items.map {
            Line(title: Self.title($0.title, $0.variantTitle), quantity: $0.quantity, total: MoneyText.format($0.lineTotal))
        }
        (rows, included) = Self.rows(
            totals: cart.totals, discounts: cart.discounts, shippingName: cart.shippingMethod?.name, taxLines: cart.taxLines,
            inclusive: cart.pricesIncludeTax)
        total = MoneyText.format(cart.total)
    }

    public init(order: Order) {
        lines = order.lines.map { Line(title: Self.title($0.title, $0.variantTitle), quantity: $0.quantity, total: MoneyText.format($0.total)) }
        (rows, included) = Self.rows(
            totals: order.totals, discounts: order.discounts, shippingName: order.shippingMethod, taxLines: order.taxLines,
            inclusive: order.pricesIncludeTax)
        total = MoneyText.format(order.total)
    }

    static func title(_ title: String, _ variant: String?) -> String {
        title + (variant.map { $0 == "Default" ? "" : " — " + $0 } ?? "")
    }

    static func rows(
        totals: Totals, discounts: [AppliedDiscount], shippingName: String?, taxLines: [TaxLine], inclusive: Bool
    ) -> (rows: [Row], included: [Row]) {
        var rows = [Row(label: "Subtotal", amount: MoneyText.format(totals.subtotal), total: false)]
        for discount in discounts where discount.amount.amount > 0 {
            rows.append(Row(label: "Discount (\(discount.code ?? discount.title))", amount: "−" + MoneyText.format(discount.amount), total: false))
        }
        rows.append(Row(label: shippingName.map { "Shipping (\($0))" } ?? "Shipping", amount: MoneyText.format(totals.shipping), total: false))
        let taxes = taxLines.map { Row(label: $0.name, amount: MoneyText.format($0.amount), total: false) }
        var included: [Row] = []
        if inclusive {
            included = taxes.map { Row(label: "Including \($0.label)", amount: $0.amount, total: false) }
        } else if taxes.isEmpty {
            rows.append(Row(label: "Tax", amount: MoneyText.format(totals.tax), total: false))
        } else {
            rows += taxes
        }
        rows.append(Row(label: "Total", amount: MoneyText.format(totals.total), total: true))
        return (rows, included)
    }
}
