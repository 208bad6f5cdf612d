import LeopardCommerce
import LeopardCore

/// The admin's reports: a range and interval, net sales as a chart, the figures against the
/// previous period, a table per period, and the best sellers; CSV links for both.
public struct ReportsPage: Sendable {
    public struct Choice: Sendable {
        public let value: String
        public let label: String
        public let selected: Bool
    }

    public struct Card: Sendable {
        public let label: String
        public let value: String
        /// "+12 %" against the previous period, or nil when that had nothing.
        public let change: String?
        public let down: Bool
    }

    public struct Row: Sendable {
        public let period: String
        public let orders: Int
        public let gross: String
        public let discounts: String
        public let refunds: String
        public let net: String
        public let tax: String
        public let shipping: String
    }

    public struct Step: Sendable {
        public let label: String
        public let visitors: Int
        public let conversion: String?
    }

    public struct Seller: Sendable {
        public let title: String
        public let units: Int
        public let revenue: String
    }

    public static let presets = [("today", "Today"), ("7", "Last 7 days"), ("30", "Last 30 days"), ("90", "Last 90 days"), ("custom", "Custom")]

    public let ranges: [Choice]
    public let intervals: [Choice]
    public let from: String
    public let to: String
    public let timeZone: String
    public let previous: String
    public let chart: String
    public let cards: [Card]
    public let rows: [Row]
    public let sellers: [Seller]
    public let categories: [Seller]
    public let customers: [Seller]
    public let funnel: [Step]
    public let funnelCSV: String
    public let salesCSV: String
    public let productsCSV: String
    public let error: String?

    static let stepLabels: [Funnel.Step: String] = [
        .session: "Visited the shop", .product: "Viewed a product", .cart: "Added to cart", .checkout: "Reached checkout",
        .order: "Placed an order", .paid: "Paid",
    ]

    public init(
        report: SalesReport, sellers: [ProductReport.Row], categories: [CategoryReport.Row], customers: CustomerReport, funnel: Funnel.Report,
        preset: String, error: String?
    ) {
        self.funnel = funnel.data.map {
            Step(label: Self.stepLabels[$0.step] ?? $0.step.rawValue, visitors: $0.visitors, conversion: $0.conversion.map { "\($0) %" })
        }
        let money = { (amount: Int) in MoneyText.format(Money(amount: amount, currency: report.currency)) }
        ranges = Self.presets.map { Choice(value: $0.0, label: $0.1, selected: $0.0 == preset) }
        intervals = ReportRange.Interval.allCases.map { Choice(value: $0.rawValue, label: "By " + $0.rawValue, selected: $0.rawValue == report.interval) }
        (from, to, timeZone) = (report.from, report.to, report.timeZone)
        previous = report.previous.period.replacingOccurrences(of: "/", with: " to ")
        chart = SalesChart.svg(report.data, currency: report.currency)
        let now = report.totals
        let before = report.previous
        cards = [
            ("Net after refunds", now.net, before.net, true), ("Orders", now.orders, before.orders, false), ("Gross sales", now.gross, before.gross, true),
            ("Discounts", now.discounts, before.discounts, true), ("Refunds", now.refunds, before.refunds, true),
            ("Average order", now.averageOrderValue, before.averageOrderValue, true), ("Tax", now.tax, before.tax, true),
            ("Shipping", now.shipping, before.shipping, true), ("Orders came to", now.total, before.total, true),
        ].map { label, value, earlier, isMoney in
            Card(label: label, value: isMoney ? money(value) : String(value), change: Self.change(value, from: earlier), down: value < earlier)
        }
        rows = report.data.map {
            Row(
                period: $0.period, orders: $0.orders, gross: money($0.gross), discounts: money($0.discounts), refunds: money($0.refunds),
                net: money($0.net), tax: money($0.tax), shipping: money($0.shipping))
        }
        self.sellers = sellers.map { Seller(title: $0.title, units: $0.units, revenue: money($0.revenue)) }
        self.categories = categories.prefix(20).map { Seller(title: $0.name, units: $0.units, revenue: money($0.revenue)) }
        self.customers = [("New customers", customers.new), ("Returning customers", customers.returning)].map {
            Seller(title: "\($0.0): \($0.1.customers)", units: $0.1.orders, revenue: money($0.1.revenue))
        }
        let range = "from=\(report.from)&to=\(report.to)"
        salesCSV = "/admin/reports/sales.csv?\(range)&interval=\(report.interval)"
        productsCSV = "/admin/reports/products.csv?\(range)"
        funnelCSV = "/admin/reports/funnel.csv?\(range)"
        self.error = error
    }

    /// The change in whole percent, with its sign; nil when the previous period had none.
    static func change(_ value: Int, from earlier: Int) -> String? {
        guard earlier != 0 else { return nil }
        let percent = Int((Double(value - earlier) / Double(abs(earlier)) * 100).rounded())
        return (percent > 0 ? "+" : "") + "\(percent) % on the period before"
    }
}
