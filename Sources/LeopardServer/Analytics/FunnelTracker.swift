import Foundation
import LeopardCommerce
import LeopardCore
import LeopardStorage

/// Counts storefront visitors into the funnel with as few writes as it takes: the store's zone
/// (to know its day) and the day's salt are kept here per store, and a step this process has
/// already counted for a visitor today is not written again. Another instance may write a step
/// once more; the table keeps it once.
actor FunnelTracker {
    private var zones: [String: (zone: TimeZone, read: ContinuousClock.Instant)] = [:]
    private var salts: [String: String] = [:]
    private var seen: Set<String> = []
    private let clock = ContinuousClock()
    static let seenLimit = 200_000

    /// Browsers only: programs that say they are robots are not visitors.
    static func isVisitor(userAgent: String) -> Bool {
        let agent = userAgent.lowercased()
        return !agent.isEmpty && !["bot", "crawl", "spider", "slurp", "curl/", "wget/", "python-requests"].contains { agent.contains($0) }
    }

    func track(
        _ step: Funnel.Step, tenantID: String, database: any DatabaseHandle, address: String, userAgent: String, orderID: String? = nil
    )
        async throws
    {
        guard Self.isVisitor(userAgent: userAgent) else { return }
        let zone = try await zone(tenantID: tenantID, database: database)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let now = Date()
        let day = Self.label(now, calendar)
        let yesterday = Self.label(calendar.date(byAdding: .day, value: -1, to: now) ?? now, calendar)
        let saltKey = tenantID + "|" + day
        let salt: String
        if let known = salts[saltKey] {
            salt = known
        } else {
            salt = try await Funnel.salt(day: day, yesterday: yesterday, database: database)
            if salts.count > 10_000 { salts.removeAll() }
            salts[saltKey] = salt
        }
        let visitor = Funnel.visitor(day: day, salt: salt, address: address, userAgent: userAgent)
        let key = [tenantID, day, visitor.hash, step.rawValue, orderID ?? ""].joined(separator: "|")
        guard !seen.contains(key) else { return }
        try await Funnel.record(step, visitor: visitor, orderID: orderID, database: database)
        if seen.count >= Self.seenLimit { seen.removeAll() }
        seen.insert(key)
    }

    /// The store's zone, read again after a minute (a changed setting shows within one).
    private func zone(tenantID: String, database: any DatabaseHandle) async throws -> TimeZone {
        if let known = zones[tenantID], clock.now - known.read < .seconds(60) { return known.zone }
        let zone = try await StoreSettings.load(from: database)?.zone ?? .gmt
        if zones.count > 10_000 { zones.removeAll() }
        zones[tenantID] = (zone, clock.now)
        return zone
    }

    static func label(_ date: Date, _ calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
