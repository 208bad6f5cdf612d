import Foundation
import LeopardCommerce
import LeopardCore
import LeopardStorage

/// Counts storefront visitors into each store's funnel in memory, and adds the counts to the
/// store's database at most every half minute (on a request of that store, or when a report is
/// read): a page view never waits for a write. Hashes stay in memory for the day. A visitor is
/// counted once a day per step; one address counts as at most `visitorsPerAddress` browsers a
/// day, so rotating the user agent cannot inflate the figures, and a store counts at most
/// `visitorsPerDay` visitors a day in memory.
actor FunnelTracker {
    struct Day: Hashable {
        let tenantID: String
        let day: String
    }

    /// What one store has counted on one day and not yet written.
    struct Tally {
        var pending: [Funnel.Step: Int] = [:]
        var seen: Set<String> = []
        var perAddress: [String: Set<String>] = [:]
        /// Orders placed by a visitor, until they are paid (or the day is over).
        var orders: [String: String] = [:]
        var ordersCounted: Set<String> = []
    }

    private var tallies: [Day: Tally] = [:]
    private var zones: [String: (zone: TimeZone, read: ContinuousClock.Instant)] = [:]
    private var salts: [String: (day: String, salt: String)] = [:]
    private var flushed: [String: ContinuousClock.Instant] = [:]
    private let clock = ContinuousClock()
    static let visitorsPerDay = 100_000
    static let visitorsPerAddress = 8
    static let flushInterval = Duration.seconds(30)

    /// Browsers only: programs that say they are robots are not visitors.
    static func isVisitor(userAgent: String) -> Bool {
        let agent = userAgent.lowercased()
        return !agent.isEmpty && !["bot", "crawl", "spider", "slurp", "curl/", "wget/", "python-requests"].contains { agent.contains($0) }
    }

    /// Counts `step` for the browser, in memory. `orderID`: the order it placed.
    func note(
        _ step: Funnel.Step, tenantID: String, database: any DatabaseHandle, address: String, userAgent: String, orderID: String? = nil
    )
        async throws
    {
        guard Self.isVisitor(userAgent: userAgent) else { return }
        let day = try await today(tenantID: tenantID, database: database)
        let salt = try await salt(tenantID: tenantID, day: day, database: database)
        let visitor = Funnel.visitor(day: day, salt: salt, address: address, userAgent: userAgent)
        let key = Day(tenantID: tenantID, day: day)
        var tally = tallies[key] ?? Tally()
        defer { tallies[key] = tally }
        var browsers = tally.perAddress[address] ?? []
        if !browsers.contains(visitor.hash) {
            guard browsers.count < Self.visitorsPerAddress, tally.seen.count < Self.visitorsPerDay * 6 else { return }
            browsers.insert(visitor.hash)
            tally.perAddress[address] = browsers
        }
        if let orderID {
            // An order counts once, however often its confirmation is asked for.
            guard tally.orders[orderID] == nil, tally.ordersCounted.count < Self.visitorsPerDay else { return }
            tally.orders[orderID] = visitor.hash
        }
        guard tally.seen.insert(visitor.hash + "|" + step.rawValue).inserted else { return }
        tally.pending[step, default: 0] += 1
    }

    /// Writes the store's counts when the last write is half a minute old (or `force`), with
    /// the paid step for orders paid since. Counts that fail to write are kept for next time.
    func flush(tenantID: String, database: any DatabaseHandle, force: Bool = false) async throws {
        if !force, let last = flushed[tenantID], clock.now - last < Self.flushInterval { return }
        flushed[tenantID] = clock.now
        let days = tallies.keys.filter { $0.tenantID == tenantID }
        guard !days.isEmpty else { return }
        let today = try await today(tenantID: tenantID, database: database)
        var counts: [String: [Funnel.Step: Int]] = [:]
        for key in days {
            let waiting = tallies[key].map { tally in tally.orders.keys.filter { !tally.ordersCounted.contains($0) } } ?? []
            let paid = try await Funnel.paid(Array(waiting.prefix(500)), database: database)
            // Read again after the wait: requests may have counted meanwhile.
            guard var tally = tallies[key] else { continue }
            for order in paid where tally.ordersCounted.insert(order).inserted {
                if let hash = tally.orders[order], tally.seen.insert(hash + "|paid").inserted { tally.pending[.paid, default: 0] += 1 }
            }
            counts[key.day] = tally.pending
            tally.pending = [:]
            // A day that is over is written for the last time.
            tallies[key] = key.day < today ? nil : tally
        }
        do {
            try await Funnel.add(counts, today: today, database: database)
        } catch {
            for (day, steps) in counts {
                let key = Day(tenantID: tenantID, day: day)
                var tally = tallies[key] ?? Tally()
                for (step, count) in steps { tally.pending[step, default: 0] += count }
                tallies[key] = tally
            }
            throw error
        }
    }

    /// Today in the store's zone, which is read again after a minute.
    private func today(tenantID: String, database: any DatabaseHandle) async throws -> String {
        let zone: TimeZone
        if let known = zones[tenantID], clock.now - known.read < .seconds(60) {
            zone = known.zone
        } else {
            zone = try await StoreSettings.load(from: database)?.zone ?? .gmt
            if zones.count > 10_000 { zones.removeAll() }
            zones[tenantID] = (zone, clock.now)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// The store's salt for `day`; only the current day's is kept.
    private func salt(tenantID: String, day: String, database: any DatabaseHandle) async throws -> String {
        if let known = salts[tenantID], known.day == day { return known.salt }
        let salt = try await Funnel.salt(day: day, database: database)
        salts[tenantID] = (day, salt)
        return salt
    }
}
