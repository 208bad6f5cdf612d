import LeopardCommerce
import LeopardCore

/// An invoice or a packing slip: one printable page per order, standing alone (no admin
/// chrome), laid out for A4 and Letter by print CSS.
public struct PrintedOrderPage: Sendable {
    public struct Line: Sendable {
        public let title: String
        public let sku: String?
        public let quantity: Int
        public let unitPrice: String
        public let total: String
    }

    public let invoice: Bool
    public let title: String
    /// `INV-1001` for the invoice: the order's number, so invoices are numbered per store.
    public let number: String
    public let date: String
    public let storeName: String
    public let storeEmail: String?
    public let email: String
    public let shipTo: [String]
    public let billTo: [String]
    public let lines: [Line]
    public let rows: [OrderSummary.Row]
    public let included: [OrderSummary.Row]
    public let refunded: String?
    public let paymentMethod: String

    public init(order: Order, invoice: Bool, storeName: String, storeEmail: String?) {
        self.invoice = invoice
        title = invoice ? "Invoice" : "Packing slip"
        number = invoice ? "INV-\(order.number)" : order.name
        date = String(order.createdAt.prefix(10))
        self.storeName = storeName
        self.storeEmail = storeEmail
        email = order.email
        func lines(_ a: Address) -> [String] {
            [a.name, a.line1, a.line2, [a.postalCode, a.city].joined(separator: " "), a.region, a.country].compactMap { $0 }.filter { !$0.isEmpty }
        }
        shipTo = lines(order.shippingAddress)
        billTo = lines(order.billingAddress ?? order.shippingAddress)
        self.lines = order.lines.map {
            Line(
                title: $0.title + ($0.variantTitle.map { $0 == "Default" ? "" : " — " + $0 } ?? ""), sku: $0.sku, quantity: $0.quantity,
                unitPrice: MoneyText.format($0.unitPrice), total: MoneyText.format($0.total))
        }
        let summary = OrderSummary(order: order)
        rows = summary.rows
        included = summary.included
        refunded = order.refundedTotal.amount > 0 ? MoneyText.format(order.refundedTotal) : nil
        paymentMethod = order.paymentMethod.replacingOccurrences(of: "_", with: " ")
    }
}
