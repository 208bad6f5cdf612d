import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardStorage
import Logging

/// The store's reports (permission: reports): JSON, or CSV of the same rows when the request
/// accepts `text/csv`.
struct ReportRoutes {
    let funnel: FunnelTracker

    func register(on routes: StoreRouter) {
        routes.staff(.reports).get("/api/reports/sales") { request, context in
            let query = request.queryDictionary
            let settings = try await context.storeSettings()
            let range = try ReportRange.parse(from: query["from"], to: query["to"], interval: query["interval"], zone: settings.zone)
            let report = try await SalesReport.load(range, settings: settings, from: context.database)
            return Self.wantsCSV(request) ? Self.csv(report.csv, name: "sales") : try report.jsonResponse()
        }
        routes.staff(.reports).get("/api/reports/products") { request, context in
            let query = request.queryDictionary
            let settings = try await context.storeSettings()
            let range = try ReportRange.parse(from: query["from"], to: query["to"], interval: nil, zone: settings.zone)
            guard let grouping = ProductReport.Grouping(rawValue: query["by"] ?? "product") else {
                throw Problem.invalid("by", "must be product or variant")
            }
            let page = try await ProductReport.load(
                range, by: grouping, page: try PageRequest(limit: query["limit"], cursor: query["cursor"]), from: context.database)
            return Self.wantsCSV(request) ? Self.csv(ProductReport.csv(page.data), name: "products") : try page.jsonResponse()
        }
        registerFunnel(on: routes)
        registerBreakdowns(on: routes)
    }

    func registerBreakdowns(on routes: StoreRouter) {
        routes.staff(.reports).get("/api/reports/categories") { request, context in
            let query = request.queryDictionary
            let settings = try await context.storeSettings()
            let range = try ReportRange.parse(from: query["from"], to: query["to"], interval: nil, zone: settings.zone)
            let rows = try await CategoryReport.load(range, from: context.database)
            return Self.wantsCSV(request) ? Self.csv(CategoryReport.csv(rows), name: "categories") : try Page(data: rows, nextCursor: nil).jsonResponse()
        }
        routes.staff(.reports).get("/api/reports/customers") { request, context in
            let query = request.queryDictionary
            let settings = try await context.storeSettings()
            let range = try ReportRange.parse(from: query["from"], to: query["to"], interval: nil, zone: settings.zone)
            let report = try await CustomerReport.load(range, from: context.database)
            return Self.wantsCSV(request) ? Self.csv(report.csv, name: "customers") : try report.jsonResponse()
        }
    }

    func registerFunnel(on routes: StoreRouter) {
        routes.staff(.reports).get("/api/reports/funnel") { request, context in
            let query = request.queryDictionary
            let settings = try await context.storeSettings()
            let range = try ReportRange.parse(from: query["from"], to: query["to"], interval: nil, zone: settings.zone)
            await Self.flush(funnel, tenantID: context.tenant.id, database: context.database, logger: context.logger)
            let report = try await Funnel.load(range, timeZone: settings.timeZone, from: context.database)
            return Self.wantsCSV(request) ? Self.csv(report.csv, name: "funnel") : try report.jsonResponse()
        }
    }

    /// This instance's latest counts first; a store that refuses writes (being moved) is read
    /// as it is.
    static func flush(_ funnel: FunnelTracker, tenantID: String, database: any DatabaseHandle, logger: Logger) async {
        do {
            try await funnel.flush(tenantID: tenantID, database: database, force: true)
        } catch {
            logger.debug("funnel counts not written before the report", metadata: ["error": .string("\(error)")])
        }
    }

    static func wantsCSV(_ request: Request) -> Bool {
        request.headers[values: .accept].contains { $0.lowercased().contains("text/csv") }
    }

    static func csv(_ text: String, name: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name).csv\""],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
