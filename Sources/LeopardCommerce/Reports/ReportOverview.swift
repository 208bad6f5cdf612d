import Foundation
import LeopardCore
import LeopardStorage

/// Every report of a range at once, for the admin's reports page.
public struct ReportOverview: Sendable {
    public let sales: SalesReport
    public let sellers: [ProductReport.Row]
    public let categories: [CategoryReport.Row]
    public let customers: CustomerReport
    public let funnel: Funnel.Report

    public static func load(_ range: ReportRange, settings: StoreSettings, from database: any DatabaseHandle) async throws -> ReportOverview {
        ReportOverview(
            sales: try await SalesReport.load(range, settings: settings, from: database),
            sellers: try await ProductReport.load(range, page: PageRequest(limit: 10), from: database).data,
            categories: try await CategoryReport.load(range, from: database), customers: try await CustomerReport.load(range, from: database),
            funnel: try await Funnel.load(range, timeZone: settings.timeZone, from: database))
    }
}
