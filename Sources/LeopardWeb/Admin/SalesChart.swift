import LeopardCommerce
import LeopardCore

/// The sales report's chart: net (after refunds) per period, as a `BarChart`.
public enum SalesChart {
    public static func svg(_ periods: [SalesReport.Figures], currency: String) -> String {
        func money(_ amount: Int) -> String { MoneyText.format(Money(amount: amount, currency: currency)) }
        let bars = periods.map { BarChart.Bar(label: $0.period, value: $0.net, title: "\($0.period): \(money($0.net)), \($0.orders) orders") }
        let highest = max(periods.map(\.net).max() ?? 0, 0)
        return BarChart.svg(bars, peak: money, summary: "Net after refunds by period, highest \(money(highest))")
    }
}
