/// A bar chart drawn on the server as SVG: no script, scales to the width of a phone, each bar
/// titled for screen readers and hover. Negative values hang below the zero line.
public enum BarChart {
    public struct Bar: Sendable {
        public let label: String
        public let value: Int
        /// What the bar's title says (its period and value, in words).
        public let title: String

        public init(label: String, value: Int, title: String) {
            self.label = label
            self.value = value
            self.title = title
        }
    }

    static let width = 640
    static let height = 220
    static let top = 12
    static let bottom = 28

    /// `peak` writes the highest value for the top-left label; `summary` is the chart's accessible name.
    public static func svg(_ bars: [Bar], peak: (Int) -> String, summary: String) -> String {
        let highest = max(bars.map(\.value).max() ?? 0, 0)
        let lowest = min(bars.map(\.value).min() ?? 0, 0)
        let span = max(highest - lowest, 1)
        let plot = Double(height - top - bottom)
        // The zero line sits where the lowest (negative) value leaves room below it.
        let zero = Double(top) + plot * Double(highest) / Double(span)
        let slot = Double(width) / Double(max(bars.count, 1))
        let thickness = max(slot * 0.7, 1)
        var parts: [String] = []
        for (index, bar) in bars.enumerated() {
            let size = plot * Double(abs(bar.value)) / Double(span)
            let x = Double(index) * slot + (slot - thickness) / 2
            let y = bar.value >= 0 ? zero - size : zero
            parts.append(
                "<rect x=\"\(format(x))\" y=\"\(format(y))\" width=\"\(format(thickness))\" height=\"\(format(max(size, 0.5)))\" class=\"bar\"><title>\(escape(bar.title))</title></rect>"
            )
        }
        let baseline = "<line x1=\"0\" y1=\"\(format(zero))\" x2=\"\(width)\" y2=\"\(format(zero))\" class=\"axis\"/>"
        var labels: [String] = []
        if let first = bars.first {
            labels.append("<text x=\"0\" y=\"\(height - 8)\" class=\"label\">\(escape(first.label))</text>")
        }
        if bars.count > 1, let last = bars.last {
            labels.append("<text x=\"\(width)\" y=\"\(height - 8)\" text-anchor=\"end\" class=\"label\">\(escape(last.label))</text>")
        }
        let top = "<text x=\"0\" y=\"\(Self.top - 2)\" class=\"label\">\(escape(peak(highest)))</text>"
        return "<svg class=\"chart\" viewBox=\"0 -6 \(width) \(height + 6)\" role=\"img\" aria-label=\"\(escape(summary))\">"
            + baseline + parts.joined() + top + labels.joined() + "</svg>"
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
