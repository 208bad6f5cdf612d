import LeopardCommerce
import LeopardCore

/// A bar chart of net (after refunds) per period, drawn on the server as SVG: no script, scales to the
/// width of a phone, each bar titled with its period and amount for screen readers and hover.
public enum SalesChart {
    static let width = 640
    static let height = 220
    static let top = 12
    static let bottom = 28

    public static func svg(_ periods: [SalesReport.Figures], currency: String) -> String {
        let values = periods.map(\.net)
        let highest = max(values.max() ?? 0, 0)
        let lowest = min(values.min() ?? 0, 0)
        let span = max(highest - lowest, 1)
        let plot = Double(height - top - bottom)
        // The zero line sits where the lowest (negative) net leaves room below it.
        let zero = Double(top) + plot * Double(highest) / Double(span)
        let slot = Double(width) / Double(max(periods.count, 1))
        let bar = max(slot * 0.7, 1)
        var parts: [String] = []
        for (index, figures) in periods.enumerated() {
            let size = plot * Double(abs(figures.net)) / Double(span)
            let x = Double(index) * slot + (slot - bar) / 2
            let y = figures.net >= 0 ? zero - size : zero
            let label = escape("\(figures.period): \(MoneyText.format(Money(amount: figures.net, currency: currency))), \(figures.orders) orders")
            parts.append(
                "<rect x=\"\(format(x))\" y=\"\(format(y))\" width=\"\(format(bar))\" height=\"\(format(max(size, 0.5)))\" class=\"bar\"><title>\(label)</title></rect>"
            )
        }
        let baseline = "<line x1=\"0\" y1=\"\(format(zero))\" x2=\"\(width)\" y2=\"\(format(zero))\" class=\"axis\"/>"
        var labels: [String] = []
        if let first = periods.first {
            labels.append("<text x=\"0\" y=\"\(height - 8)\" class=\"label\">\(escape(first.period))</text>")
        }
        if periods.count > 1, let last = periods.last {
            labels.append("<text x=\"\(width)\" y=\"\(height - 8)\" text-anchor=\"end\" class=\"label\">\(escape(last.period))</text>")
        }
        let peak = "<text x=\"0\" y=\"\(top - 2)\" class=\"label\">\(escape(MoneyText.format(Money(amount: highest, currency: currency))))</text>"
        let summary = escape("Net after refunds by period, highest \(MoneyText.format(Money(amount: highest, currency: currency)))")
        return "<svg class=\"chart\" viewBox=\"0 -6 \(width) \(height + 6)\" role=\"img\" aria-label=\"\(summary)\">"
            + baseline + parts.joined() + peak + labels.joined() + "</svg>"
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
