import Foundation
import LeopardCommerce
import LeopardCore
import LeopardStorage
import SQLKit

/// The operator's view across stores, by UTC day, week or month, from the platform database
/// alone: signups, provisioning attempts (failures, median and 95th percentile time), and
/// orders, gross merchandise value and refunds per currency (from `tenant_sales_days`, as the
/// roll-up last copied each store); stores by status, those active in the last 30 days (an
/// order or a staff sign-in) and the ten largest.
public struct PlatformReport: Encodable, Sendable {
    public struct Sales: Encodable, Sendable, Equatable {
        public let currency: String
        public var orders = 0
        public var gmv = 0
        public var refunds = 0

        public init(currency: String, orders: Int = 0, gmv: Int = 0, refunds: Int = 0) {
            (self.currency, self.orders, self.gmv, self.refunds) = (currency, orders, gmv, refunds)
        }
    }

    public struct Provisioning: Encodable, Sendable, Equatable {
        public var attempts = 0
        public var failures = 0
        public var medianMilliseconds: Double?
        public var p95Milliseconds: Double?
    }

    public struct Period: Encodable, Sendable {
        public let period: String
        public var signups = 0
        public var provisioning = Provisioning()
        public var sales: [Sales] = []
    }

    public struct Stores: Encodable, Sendable, Equatable {
        public var total = 0
        public var active = 0
        public var suspended = 0
        public var deleted = 0
        public var provisioning = 0
        /// Active stores with an order or a staff sign-in in the last 30 days.
        public var activeLast30Days = 0
    }

    public struct Store: Encodable, Sendable, Equatable {
        public let tenantId: String
        public let slug: String
        public let status: String
        public let databaseBytes: Int
        public let currency: String
        public let orders: Int
        public let gmv: Int
        public let requests: Int
    }

    public let from: String
    public let to: String
    public let interval: String
    public let timeZone = "UTC"
    public let stores: Stores
    public let data: [Period]
    public let totals: Period
    /// The ten stores with the largest databases, with their orders, GMV and requests in the range.
    public let largest: [Store]

    enum CodingKeys: String, CodingKey { case from, to, interval, timeZone, stores, data, totals, largest }

    /// The report for `range` (whose zone is UTC).
    public static func load(_ range: ReportRange, database: any DatabaseHandle, now: Date = Date()) async throws -> PlatformReport {
        let periods = range.periods
        var data = periods.map { Period(period: $0.label) }
        var total = Period(period: "\(range.from)/\(range.to)")
        let labels = periods.map(\.label)
        func index(_ day: String) -> Int? { labels.lastIndex { $0 <= day } }
        let after = String(Timestamp.string(range.end).prefix(10))
        let rows = try await database.read { sql in
            try await Rows.load(sql, from: range.from, after: after, now: now)
        }
        for (day, count) in rows.signups {
            guard let at = index(day) else { continue }
            data[at].signups += count
            total.signups += count
        }
        for sale in rows.sales {
            guard let at = index(sale.day) else { continue }
            add(sale, to: &data[at].sales)
            add(sale, to: &total.sales)
        }
        var times = Array(repeating: [Int](), count: data.count)
        var allTimes: [Int] = []
        for attempt in rows.attempts {
            guard let at = index(attempt.day) else { continue }
            data[at].provisioning.attempts += 1
            if attempt.failed { data[at].provisioning.failures += 1 }
            total.provisioning.attempts += 1
            if attempt.failed { total.provisioning.failures += 1 }
            times[at].append(attempt.microseconds)
            allTimes.append(attempt.microseconds)
        }
        for at in data.indices { summarize(times[at], into: &data[at].provisioning) }
        summarize(allTimes, into: &total.provisioning)
        return PlatformReport(
            from: range.from, to: range.to, interval: range.interval.rawValue, stores: rows.stores, data: data, totals: total, largest: rows.largest)
    }

    static func add(_ sale: Rows.Sale, to list: inout [Sales]) {
        if let at = list.firstIndex(where: { $0.currency == sale.currency }) {
            list[at].orders += sale.orders
            list[at].gmv += sale.gmv
            list[at].refunds += sale.refunds
        } else {
            list.append(Sales(currency: sale.currency, orders: sale.orders, gmv: sale.gmv, refunds: sale.refunds))
            list.sort { $0.currency < $1.currency }
        }
    }

    /// Median and 95th percentile (nearest rank), in milliseconds to a tenth.
    static func summarize(_ micros: [Int], into figures: inout Provisioning) {
        guard !micros.isEmpty else { return }
        let sorted = micros.sorted()
        func rank(_ share: Double) -> Double {
            let at = min(max(Int((share * Double(sorted.count)).rounded(.up)) - 1, 0), sorted.count - 1)
            return (Double(sorted[at]) / 100).rounded() / 10
        }
        figures.medianMilliseconds = rank(0.5)
        figures.p95Milliseconds = rank(0.95)
    }

    /// Every currency in the report, for the CSV's columns.
    var currencies: [String] { Array(Set(data.flatMap { $0.sales.map(\.currency) })).sorted() }

    /// The periods as CSV, the same numbers as `data`: orders, GMV and refunds in a column per currency.
    public var csv: String {
        let currencies = self.currencies
        let header =
            ["period", "signups", "provisioning_attempts", "provisioning_failures", "provisioning_median_ms", "provisioning_p95_ms"]
            + currencies.flatMap { ["orders_\($0)", "gmv_\($0)", "refunds_\($0)"] }
        let rows = data.map { period -> [String] in
            let provisioning = period.provisioning
            let sales = currencies.flatMap { currency -> [String] in
                let figures = period.sales.first { $0.currency == currency } ?? Sales(currency: currency)
                return [figures.orders, figures.gmv, figures.refunds].map(String.init)
            }
            return [
                period.period, String(period.signups), String(provisioning.attempts), String(provisioning.failures),
                provisioning.medianMilliseconds.map { String($0) } ?? "", provisioning.p95Milliseconds.map { String($0) } ?? "",
            ] + sales
        }
        return ([header] + rows).map(CSV.line).joined(separator: "\r\n") + "\r\n"
    }
}
