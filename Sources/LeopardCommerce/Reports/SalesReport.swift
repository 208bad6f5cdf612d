import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Sales over a range of the store's days, by period, with the totals and those of the same
/// number of days before. Orders count when they were placed (cancelled ones not at all) and
/// refunds when they were made, so a period's figures never change after it ends except by an
/// edit or cancellation of one of its orders. Read from the quarter-hour ledger, so the cost
/// depends on the length of the range, not on the number of orders.
public struct SalesReport: Sendable, Encodable {
    public struct Figures: Sendable, Encodable, Equatable {
        /// The period's first day (for totals: `from/to`).
        public var period: String
        public var orders = 0
        /// Line items at their prices, before discounts.
        public var gross = 0
        public var discounts = 0
        public var refunds = 0
        /// Gross less discounts and refunds.
        public var net: Int { gross - discounts - refunds }
        public var tax = 0
        public var shipping = 0
        /// What an order came to on average after discounts (rounded down); 0 without orders.
        public var averageOrderValue: Int { orders > 0 ? (gross - discounts) / orders : 0 }

        enum CodingKeys: String, CodingKey { case period, orders, gross, discounts, refunds, net, tax, shipping, averageOrderValue }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(period, forKey: .period)
            for (key, value) in [
                (CodingKeys.orders, orders), (.gross, gross), (.discounts, discounts), (.refunds, refunds), (.net, net), (.tax, tax),
                (.shipping, shipping), (.averageOrderValue, averageOrderValue),
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

    public static let csvHeader = ["period", "orders", "gross", "discounts", "refunds", "net", "tax", "shipping", "average_order_value"]

    /// The periods as CSV rows, the same numbers as `data`.
    public var csv: String {
        let rows = data.map { figures in
            [figures.period]
                + [figures.orders, figures.gross, figures.discounts, figures.refunds, figures.net, figures.tax, figures.shipping]
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
            for figures in data {
                (totals.orders, totals.gross, totals.discounts) = (
                    totals.orders + figures.orders, totals.gross + figures.gross, totals.discounts + figures.discounts
                )
                (totals.refunds, totals.tax, totals.shipping) = (totals.refunds + figures.refunds, totals.tax + figures.tax, totals.shipping + figures.shipping)
            }
            for row in try await buckets(from: previousRange.start, to: previousRange.end, on: sql) { try previous.add(row) }
            return SalesReport(
                from: range.from, to: range.to, interval: range.interval.rawValue, timeZone: settings.timeZone, currency: settings.currency, data: data,
                totals: totals, previous: previous)
        }
    }

    static func buckets(from start: Date, to end: Date, on sql: any SQLDatabase) async throws -> [any SQLRow] {
        try await sql.raw(
            """
            SELECT bucket, orders, gross, discounts, refunds, tax, shipping FROM sales_buckets
            WHERE bucket >= \(bind: SalesLedger.bucket(start)) AND bucket < \(bind: SalesLedger.bucket(end)) ORDER BY bucket
            """
        ).all()
    }
}
