import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Sales over a range of the store's days, by period, with the totals and those of the same
/// number of days before. Orders count when they were placed (cancelled ones not at all; unpaid
/// ones until they are cancelled) and refunds when they were made, so a period's figures never
/// change after it ends except by an edit or cancellation of one of its orders. Read from the
/// sales ledger, summed by quarter hour in the database.
public struct SalesReport: Sendable, Encodable {
    public struct Figures: Sendable, Encodable, Equatable {
        /// The period's first day (for totals: `from/to`).
        public var period: String
        public var orders = 0
        /// Line items at their prices, before discounts.
        public var gross = 0
        public var discounts = 0
        /// Money given back, whatever it was for (items, tax or shipping).
        public var refunds = 0
        /// What the orders came to (after discounts, with shipping, and tax where it is added on
        /// top) less refunds: the money kept, before payment fees.
        public var net: Int { total - refunds }
        /// As charged on the orders (not reduced by refunds).
        public var tax = 0
        public var shipping = 0
        /// What the orders came to.
        public var total = 0
        /// What an order came to on average after discounts (rounded down); 0 without orders.
        public var averageOrderValue: Int { orders > 0 ? (gross - discounts) / orders : 0 }

        enum CodingKeys: String, CodingKey { case period, orders, gross, discounts, refunds, net, tax, shipping, total, averageOrderValue }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(period, forKey: .period)
            for (key, value) in [
                (CodingKeys.orders, orders), (.gross, gross), (.discounts, discounts), (.refunds, refunds), (.net, net), (.tax, tax),
                (.shipping, shipping), (.total, total), (.averageOrderValue, averageOrderValue),
            ] {
                try container.encode(value, forKey: key)
            }
        }

        mutating func add(_ row: any SQLRow) throws {
            orders += try row.decode(column: "orders", as: Int.self)
            gross += try row.decode(column: "gross", as: Int.self)
            discounts += try row.decode(column: "discounts", as: Int.self)
            refunds += try row.decode(column: "refunds", as: Int.self)
            tax += try row.decode(column: "tax", as: Int.self)
            shipping += try row.decode(column: "shipping", as: Int.self)
            total += try row.decode(column: "total", as: Int.self)
        }

        mutating func add(_ other: Figures) {
            (orders, gross, discounts, refunds) = (orders + other.orders, gross + other.gross, discounts + other.discounts, refunds + other.refunds)
            (tax, shipping, total) = (tax + other.tax, shipping + other.shipping, total + other.total)
        }
    }

    public let from: String
    public let to: String
    public let interval: String
    public let timeZone: String
    public let currency: String
    public let data: [Figures]
    public let totals: Figures
    public let previous: Figures

    public static let csvHeader = ["period", "orders", "gross", "discounts", "refunds", "net", "tax", "shipping", "total", "average_order_value"]

    /// The periods as CSV rows, the same numbers as `data`.
    public var csv: String {
        let rows = data.map { figures in
            [figures.period]
                + [figures.orders, figures.gross, figures.discounts, figures.refunds, figures.net, figures.tax, figures.shipping, figures.total]
                .map(String.init) + [String(figures.averageOrderValue)]
        }
        return ([Self.csvHeader] + rows).map(CSV.line).joined(separator: "\r\n") + "\r\n"
    }

    public static func load(_ range: ReportRange, settings: StoreSettings, from database: any DatabaseHandle) async throws -> SalesReport {
        let previousRange = range.previous
        return try await database.read { sql in
            let periods = range.periods
            var data = periods.map { Figures(period: $0.label) }
            var index = 0
            for row in try await buckets(from: range.start, to: range.end, on: sql) {
                let start = Date(timeIntervalSince1970: Double(try row.decode(column: "bucket", as: Int.self) * SalesLedger.bucketSeconds))
                while index < periods.count - 1, start >= periods[index].end { index += 1 }
                try data[index].add(row)
            }
            var totals = Figures(period: "\(range.from)/\(range.to)")
            var previous = Figures(period: "\(previousRange.from)/\(previousRange.to)")
            for figures in data { totals.add(figures) }
            for row in try await buckets(from: previousRange.start, to: previousRange.end, on: sql) { try previous.add(row) }
            return SalesReport(
                from: range.from, to: range.to, interval: range.interval.rawValue, timeZone: settings.timeZone, currency: settings.currency, data: data,
                totals: totals, previous: previous)
        }
    }

    static func buckets(from start: Date, to end: Date, on sql: any SQLDatabase) async throws -> [any SQLRow] {
        try await sql.raw(
            """
            SELECT bucket, CAST(SUM(orders) AS BIGINT) AS orders, CAST(SUM(gross) AS BIGINT) AS gross, CAST(SUM(discounts) AS BIGINT) AS discounts,
                   CAST(SUM(refunds) AS BIGINT) AS refunds, CAST(SUM(tax) AS BIGINT) AS tax, CAST(SUM(shipping) AS BIGINT) AS shipping,
                   CAST(SUM(total) AS BIGINT) AS total
            FROM sales_entries
            WHERE bucket >= \(bind: SalesLedger.bucket(start)) AND bucket < \(bind: SalesLedger.bucket(end)) GROUP BY bucket ORDER BY bucket
            """
        ).all()
    }
}
