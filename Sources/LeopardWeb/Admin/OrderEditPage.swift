import LeopardCommerce
import LeopardCore

/// Editing an order's items in the admin: new quantities and a product to add, a preview of
/// the new total and what it means (to collect, or to refund), then saving it.
public struct OrderEditPage: Sendable {
    public struct Line: Sendable {
        public let id: String
        public let title: String
        public let unitPrice: String
        public let quantity: String
    }

    public struct Choice: Sendable {
        public let value: String
        public let label: String
        public let selected: Bool
    }

    public struct Preview: Sendable {
        public let lines: [String]
        public let rows: [OrderSummary.Row]
        public let change: String
    }

    public let id: String
    public let number: Int
    public let lines: [Line]
    public let variants: [Choice]
    public let addQuantity: String
    public let preview: Preview?
    /// The previewed total, sent with the save so a changed order is previewed again.
    public let expectedTotal: String?
    public let error: String?

    /// `values`: what was typed (`qty_<line id>`, `addVariant`, `addQuantity`).
    public init(
        order: Order, variants: [(id: String, label: String)], values: [String: String], preview outcome: OrderEdits.Outcome?, error: String?
    ) {
        (id, number, self.error) = (order.id, order.number, error)
        lines = order.lines.map {
            Line(
                id: $0.id, title: $0.title + ($0.variantTitle.map { $0 == "Default" ? "" : " — " + $0 } ?? ""), unitPrice: MoneyText.format($0.unitPrice),
                quantity: values["qty_\($0.id)"] ?? String($0.quantity))
        }
        let chosen = values["addVariant"] ?? ""
        self.variants =
            [Choice(value: "", label: "Nothing", selected: chosen.isEmpty)] + variants.map { Choice(value: $0.id, label: $0.label, selected: $0.id == chosen) }
        addQuantity = values["addQuantity"] ?? "1"
        expectedTotal = outcome.map { String($0.order.total.amount) }
        preview = outcome.map { outcome in
            let difference = outcome.difference.amount
            let change: String
            if let refund = outcome.refundDue {
                change = "The total goes down by \(MoneyText.format(refund)): refund that to the customer after saving."
            } else if difference > 0 {
                change = "The total goes up by \(MoneyText.format(outcome.difference)), still to be paid."
            } else if difference < 0 {
                change = "The total goes down by \(MoneyText.format(Money(amount: -difference, currency: outcome.difference.currency)))."
            } else {
                change = "The total stays the same."
            }
            let summary = OrderSummary(order: outcome.order)
            return Preview(
                lines: outcome.order.lines.map { "\($0.quantity) × \($0.title)\($0.variantTitle.map { $0 == "Default" ? "" : " — " + $0 } ?? "")" },
                rows: summary.rows + summary.included, change: change)
        }
    }
}
