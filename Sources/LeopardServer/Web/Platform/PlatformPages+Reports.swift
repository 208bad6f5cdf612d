import Foundation
import Hummingbird
import LeopardCommerce
import LeopardOperations
import LeopardWeb

/// The console's reports page and its CSV, from the same service as `GET /api/platform/reports`.
extension PlatformPages {
    func registerReports(on router: Router<AppContext>) {
        router.get("/console/reports") { request, context in
            guard consoleSession(request) != nil else { return pages.redirect(to: "/console") }
            let utc = TimeZone(identifier: "UTC") ?? .gmt
            let (range, preset, error) = AdminReportPages.range(request.queryDictionary, zone: utc)
            let report = try await PlatformReportRoutes.report(
                ["from": range.from, "to": range.to, "interval": range.interval.rawValue], services: services, logger: context.logger)
            let csvUrl = pageLink("/console/reports.csv", [("from", range.from), ("to", range.to), ("interval", range.interval.rawValue)])
            let model = Self.reportPage(report, preset: preset, csvUrl: csvUrl, error: error)
            return try page(request, "platform/console-reports", model, title: "Platform reports", status: error == nil ? .ok : .unprocessableContent)
        }
        router.get("/console/reports.csv") { request, context in
            guard consoleSession(request) != nil else { return pages.redirect(to: "/console") }
            let report = try await PlatformReportRoutes.report(request.queryDictionary, services: services, logger: context.logger)
            return ReportRoutes.csv(report.csv, name: "platform")
        }
    }

    static func reportPage(_ report: PlatformReport, preset: String, csvUrl: String, error: String?) -> ConsoleReportPage {
        func gmv(_ sales: [PlatformReport.Sales]) -> String {
            sales.isEmpty ? "–" : sales.map { MoneyText.format(amount: $0.gmv, currency: $0.currency) }.joined(separator: " · ")
        }
        func milliseconds(_ value: Double?) -> String { value.map { String(format: "%.0f ms", $0) } ?? "–" }
        let totals = report.totals
        let cards =
            [
                ("Stores", report.stores.total), ("Active", report.stores.active), ("Active in 30 days", report.stores.activeLast30Days),
                ("Suspended", report.stores.suspended), ("Deleted", report.stores.deleted), ("Signups in range", totals.signups),
                ("Failed provisioning", totals.provisioning.failures),
            ].map { ConsoleReportPage.Card(label: $0.0, value: String($0.1)) } + [
                .init(label: "Median provisioning", value: milliseconds(totals.provisioning.medianMilliseconds))
            ]
        var charts = [
            ConsoleReportPage.Chart(
                title: "Signups",
                svg: BarChart.svg(
                    report.data.map { .init(label: $0.period, value: $0.signups, title: "\($0.period): \($0.signups) signups") }, peak: String.init,
                    summary: "Signups by period, most \(report.data.map(\.signups).max() ?? 0)"))
        ]
        // The busiest currencies' GMV, three at most.
        for sales in totals.sales.sorted(by: { $0.orders > $1.orders }).prefix(3) {
            let money = { (amount: Int) in MoneyText.format(amount: amount, currency: sales.currency) }
            let bars = report.data.map { period -> BarChart.Bar in
                let figures = period.sales.first { $0.currency == sales.currency } ?? .init(currency: sales.currency)
                return .init(label: period.period, value: figures.gmv, title: "\(period.period): \(money(figures.gmv)), \(figures.orders) orders")
            }
            charts.append(.init(title: "GMV in \(sales.currency)", svg: BarChart.svg(bars, peak: money, summary: "GMV in \(sales.currency) by period")))
        }
        charts.append(
            .init(
                title: "Provisioning time (median)",
                svg: BarChart.svg(
                    report.data.map {
                        .init(
                            label: $0.period, value: Int(($0.provisioning.medianMilliseconds ?? 0).rounded()),
                            title:
                                "\($0.period): median \(milliseconds($0.provisioning.medianMilliseconds)), \($0.provisioning.attempts) attempts, \($0.provisioning.failures) failed"
                        )
                    }, peak: { "\($0) ms" }, summary: "Median provisioning time by period")))
        let rows = report.data.map {
            ConsoleReportPage.Row(
                period: $0.period, signups: $0.signups, attempts: $0.provisioning.attempts, failures: $0.provisioning.failures,
                median: milliseconds($0.provisioning.medianMilliseconds), p95: milliseconds($0.provisioning.p95Milliseconds),
                orders: $0.sales.reduce(0) { $0 + $1.orders }, gmv: gmv($0.sales))
        }
        let largest = report.largest.map {
            ConsoleReportPage.Store(
                slug: $0.slug, status: $0.status, bytes: $0.databaseBytes, orders: $0.orders,
                gmv: MoneyText.format(amount: $0.gmv, currency: $0.currency), requests: $0.requests)
        }
        return ConsoleReportPage(
            preset: preset, interval: report.interval, from: report.from, to: report.to, cards: cards, charts: charts, rows: rows, largest: largest,
            csvUrl: csvUrl, error: error)
    }
}
