import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import Logging

/// `GET /api/platform/reports?from=&to=&interval=` (operator token): the platform's growth,
/// sales and provisioning by UTC period (`PlatformReport`); CSV with `Accept: text/csv`.
struct PlatformReportRoutes {
    let services: LeopardServices

    func register(on router: Router<AppContext>) {
        let group = router.group("/api/platform").add(middleware: OperatorAuthMiddleware(credentials: services.operatorCredentials))
        group.get("reports") { request, context in
            let report = try await Self.report(request.queryDictionary, services: services, logger: context.logger)
            return ReportRoutes.wantsCSV(request) ? ReportRoutes.csv(report.csv, name: "platform") : try report.jsonResponse()
        }
    }

    /// This instance's counts written and rolled up first, so the report includes them.
    static func report(_ query: [String: String], services: LeopardServices, logger: Logger) async throws -> PlatformReport {
        let utc = TimeZone(identifier: "UTC") ?? .gmt
        let range = try ReportRange.parse(from: query["from"], to: query["to"], interval: query["interval"], zone: utc)
        await UsageFlushService.flush(services.platform, logger: logger)
        return try await PlatformReport.load(range, database: services.platform.platformDatabase)
    }
}
