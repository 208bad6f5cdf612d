/// The operator's reports across stores: a range, totals, charts of signups, sales and
/// provisioning by UTC period, a table per period and the largest stores; CSV of the periods.
/// The server fills it from `PlatformReport` (the same numbers as `GET /api/platform/reports`).
public struct ConsoleReportPage: Sendable {
    public struct Card: Sendable {
        public let label: String
        public let value: String

        public init(label: String, value: String) {
            self.label = label
            self.value = value
        }
    }

    public struct Chart: Sendable {
        public let title: String
        public let svg: String

        public init(title: String, svg: String) {
            self.title = title
            self.svg = svg
        }
    }

    public struct Row: Sendable {
        public let period: String
        public let signups: Int
        public let attempts: Int
        public let failures: Int
        public let median: String
        public let p95: String
        public let orders: Int
        public let gmv: String

        public init(period: String, signups: Int, attempts: Int, failures: Int, median: String, p95: String, orders: Int, gmv: String) {
            (self.period, self.signups, self.attempts, self.failures) = (period, signups, attempts, failures)
            (self.median, self.p95, self.orders, self.gmv) = (median, p95, orders, gmv)
        }
    }

    public struct Store: Sendable {
        public let slug: String
        public let status: String
        public let size: String
        public let orders: Int
        public let gmv: String
        public let requests: Int

        public init(slug: String, status: String, bytes: Int, orders: Int, gmv: String, requests: Int) {
            (self.slug, self.status, self.size, self.orders, self.gmv, self.requests) = (slug, status, ByteText.format(bytes), orders, gmv, requests)
        }
    }

    public let ranges: [ReportsPage.Choice]
    public let intervals: [ReportsPage.Choice]
    public let from: String
    public let to: String
    public let cards: [Card]
    public let charts: [Chart]
    public let rows: [Row]
    public let largest: [Store]
    public let csvUrl: String
    public let error: String?

    public init(
        preset: String, interval: String, from: String, to: String, cards: [Card], charts: [Chart], rows: [Row], largest: [Store], csvUrl: String,
        error: String?
    ) {
        ranges = ReportsPage.presets.map { ReportsPage.Choice(value: $0.0, label: $0.1, selected: $0.0 == preset) }
        intervals = ["day", "week", "month"].map { ReportsPage.Choice(value: $0, label: "By " + $0, selected: $0 == interval) }
        (self.from, self.to, self.cards, self.charts, self.rows) = (from, to, cards, charts, rows)
        (self.largest, self.csvUrl, self.error) = (largest, csvUrl, error)
    }
}
