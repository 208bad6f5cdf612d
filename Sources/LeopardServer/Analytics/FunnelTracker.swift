import Foundation
import LeopardCommerce
import LeopardCore
import LeopardStorage

/// Counts storefront visitors into each store's funnel. A page view only notes the visitor's
/// hash in memory; every half minute (`FunnelFlushService`, and before a report is read) the
/// hashes new since the last time are written in one transaction per store, where the table
/// keeps each once a day, so every instance and a restarted one count a browser alike.
/// Memory is bounded: at most `visitorsPerDay` browsers per store and day, `visitorsPerAddress`
/// per address (an IPv6 /64 is one address), and `budget` noted steps over all stores.
actor FunnelTracker {
    struct Day: Hashable {
        let tenantID: String
        let day: String
    }

    struct Tally {
        /// Steps noted since the last write.
        var fresh: [Funnel.Step: Set<String>] = [:]
        /// `hash|step` noted today by this process: a request that adds nothing writes nothing.
        var seen: Set<String> = []
        var perAddress: [String: Set<String>] = [:]
        var visitors: Set<String> = []
        /// Orders placed by a visitor (id → hash), until paid or cancelled.
        var orders: [String: String] = [:]
    }

    private var tallies: [Day: Tally] = [:]
    private var zones: [String: (zone: TimeZone, read: ContinuousClock.Instant)] = [:]
    private var salts: [String: (day: String, salt: String)] = [:]
    private var newestDay: [String: String] = [:]
    private var flushed: [String: ContinuousClock.Instant] = [:]
    private var noted = 0
    private let clock = ContinuousClock()
    static let visitorsPerDay = 20_000
    static let visitorsPerAddress = 8
    static let budget = 400_000
    static let flushInterval = Duration.seconds(30)

    /// Browsers only: programs that say they are robots are not visitors.
    static func isVisitor(userAgent: String) -> Bool {
        let agent = userAgent.lowercased()
        return !agent.isEmpty && !["bot", "crawl", "spider", "slurp", "curl/", "wget/", "python-requests"].contains { agent.contains($0) }
    }

    /// The address as one household: an IPv6 address's first four groups (its /64).
    static func household(_ address: String) -> String {
        guard address.contains(":") else { return address }
        return address.split(separator: ":", omittingEmptySubsequences: false).prefix(4).joined(separator: ":")
    }

    /// Notes `step` for the browser. `orderID`: the order it placed.
    func note(
        _ step: Funnel.Step, tenantID: String, database: any DatabaseHandle, address: String, userAgent: String, orderID: String? = nil
    )
        async throws
    {
        guard Self.isVisitor(userAgent: userAgent), noted < Self.budget else { return }
        let (day, _) = try await days(tenantID: tenantID, database: database)
        let salt = try await salt(tenantID: tenantID, day: day, database: database)
        // After the waits: a request that began before midnight does not bring yesterday back.
        if let newest = newestDay[tenantID], day < newest { return }
        newestDay[tenantID] = day
        let visitor = Funnel.visitor(day: day, salt: salt, address: address, userAgent: userAgent)
        let key = Day(tenantID: tenantID, day: day)
        var tally = tallies[key] ?? Tally()
        defer { tallies[key] = tally }
        if !tally.visitors.contains(visitor.hash) {
            let household = Self.household(address)
            guard tally.visitors.count < Self.visitorsPerDay, tally.perAddress[household, default: []].count < Self.visitorsPerAddress else { return }
            tally.visitors.insert(visitor.hash)
            tally.perAddress[household, default: []].insert(visitor.hash)
        }
        if let orderID, tally.orders.count < Self.visitorsPerDay { tally.orders[orderID] = visitor.hash }
        guard tally.seen.insert(visitor.hash + "|" + step.rawValue).inserted else { return }
        noted += 1
        tally.fresh[step, default: []].insert(visitor.hash)
    }

    /// The stores with anything in memory: steps or orders to write, or days to let go of.
    func waiting() -> [String] {
        Array(Set(tallies.keys.map(\.tenantID)))
    }

    /// Writes the store's new steps when the last write is half a minute old (or `force`), with
    /// the paid step for orders paid since; what fails to write is kept for the next time.
    func flush(tenantID: String, database: any DatabaseHandle, force: Bool = false) async throws {
        if !force, let last = flushed[tenantID], clock.now - last < Self.flushInterval { return }
        flushed[tenantID] = clock.now
        let (today, yesterday) = try await days(tenantID: tenantID, database: database)
        var writing: [String: [Funnel.Step: Set<String>]] = [:]
        for key in tallies.keys where key.tenantID == tenantID {
            let orders = tallies[key].map { Array($0.orders.keys.shuffled().prefix(500)) } ?? []
            // A lookup that fails only leaves the payments to count on the next write.
            let settled = (try? await Funnel.settled(orders, database: database)) ?? (paid: [], cancelled: [])
            guard var tally = tallies[key] else { continue }
            for order in settled.paid.union(settled.cancelled) {
                if settled.paid.contains(order), let hash = tally.orders[order], tally.seen.insert(hash + "|paid").inserted {
                    tally.fresh[.paid, default: []].insert(hash)
                }
                tally.orders[order] = nil
            }
            writing[key.day] = tally.fresh
            tally.fresh = [:]
            tallies[key] = key.day < yesterday ? nil : tally
        }
        guard writing.values.contains(where: { !$0.isEmpty }) else {
            noted = tallies.values.reduce(0) { $0 + $1.seen.count }
            return
        }
        do {
            try await Funnel.add(writing, today: today, yesterday: yesterday, database: database)
        } catch {
            for (day, steps) in writing where day >= yesterday {
                let key = Day(tenantID: tenantID, day: day)
                for (step, hashes) in steps { tallies[key, default: Tally()].fresh[step, default: []].formUnion(hashes) }
            }
            throw error
        }
        // Memory is given back as days end.
        noted = tallies.values.reduce(0) { $0 + $1.seen.count }
    }

    /// Today and yesterday in the store's zone (read again after a minute).
    private func days(tenantID: String, database: any DatabaseHandle) async throws -> (today: String, yesterday: String) {
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
        let now = Date()
        return (Self.label(now, calendar), Self.label(calendar.date(byAdding: .day, value: -1, to: now) ?? now, calendar))
    }

    static func label(_ date: Date, _ calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// The store's salt for `day`; only the current day's is kept.
    private func salt(tenantID: String, day: String, database: any DatabaseHandle) async throws -> String {
        if let known = salts[tenantID], known.day == day { return known.salt }
        let salt = try await Funnel.salt(day: day, database: database)
        if salts.count > 10_000 { salts.removeAll() }
        salts[tenantID] = (day, salt)
        return salt
    }
}
