import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// Reports in the admin (the `reports` permission), from the same services as
/// `/api/reports/…`: a range, the chart and figures, best sellers, and their CSV.
struct AdminReportPages {
    let routes: AdminRoutes

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/admin/reports") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let query = request.queryDictionary
            let (range, preset, error) = Self.range(query, zone: visit.settings.zone)
            await ReportRoutes.flush(routes.services.funnel, tenantID: visit.tenantID, database: visit.database, logger: context.logger)
            let reports = try await ReportOverview.load(range, settings: visit.settings, from: visit.database)
            let model = ReportsPage(
                report: reports.sales, sellers: reports.sellers, categories: reports.categories, customers: reports.customers, funnel: reports.funnel,
                preset: preset, error: error)
            return try visit.page("admin/reports", model, title: "Reports", section: "/admin/reports", status: error == nil ? .ok : .unprocessableContent)
        }
        router.get("/admin/reports/sales.csv") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let query = request.queryDictionary
            let range = try ReportRange.parse(from: query["from"], to: query["to"], interval: query["interval"], zone: visit.settings.zone)
            return ReportRoutes.csv(try await SalesReport.load(range, settings: visit.settings, from: visit.database).csv, name: "sales")
        }
        router.get("/admin/reports/funnel.csv") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let query = request.queryDictionary
            let range = try ReportRange.parse(from: query["from"], to: query["to"], interval: nil, zone: visit.settings.zone)
            await ReportRoutes.flush(routes.services.funnel, tenantID: visit.tenantID, database: visit.database, logger: context.logger)
            return ReportRoutes.csv(try await Funnel.load(range, timeZone: visit.settings.timeZone, from: visit.database).csv, name: "funnel")
        }
        router.get("/admin/reports/products.csv") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let query = request.queryDictionary
            let range = try ReportRange.parse(from: query["from"], to: query["to"], interval: nil, zone: visit.settings.zone)
            // Every best seller, a hundred at a time, in one file.
            var rows: [ProductReport.Row] = []
            var page = PageRequest(limit: PageRequest.maximumLimit)
            while true {
                let found = try await ProductReport.load(range, page: page, from: visit.database)
                rows += found.data
                guard let next = found.nextCursor.flatMap(Cursor.decode), rows.count < 100_000 else { break }
                page = PageRequest(limit: PageRequest.maximumLimit, after: next)
            }
            return ReportRoutes.csv(ProductReport.csv(rows), name: "products")
        }
    }

    /// The range a query names: a preset (default the last 30 days) or custom days; a custom
    /// range that cannot be read shows the default with the reason.
    static func range(_ query: [String: String], zone: TimeZone) -> (ReportRange, String, String?) {
        let interval = ReportRange.Interval(rawValue: query["interval"] ?? "day") ?? .day
        let preset = query["range"] ?? "30"
        if preset == "custom" {
            do {
                return (try ReportRange.parse(from: query["from"], to: query["to"], interval: interval.rawValue, zone: zone), preset, nil)
            } catch {
                let reason = error.errors.map { "\($0.field == "from" ? "From" : "To") \($0.message)" }.joined(separator: "; ")
                return (ReportRange.last(days: 30, interval: interval, zone: zone), "30", reason.isEmpty ? error.detail ?? error.title : reason + ".")
            }
        }
        let days = ["today": 1, "7": 7, "30": 30, "90": 90][preset] ?? 30
        return (ReportRange.last(days: days, interval: interval, zone: zone), preset == "today" || days != 30 ? preset : "30", nil)
    }
}
