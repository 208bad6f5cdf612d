import Foundation
import LeopardCommerce
import LeopardPlatform
import LeopardStorage
import Logging

/// Copies each busy store's sales by UTC day, last order, last staff sign-in and size into the
/// platform database (`PlatformActivity`), for the operator's reports across stores. It runs
/// after each half-minute write of the request counts, for the stores that had requests: a store
/// that took an order had requests, and an idle store is never opened for it.
///
/// Each run rereads whole days whose ledger entries were written since the last run began (less
/// five minutes, for a transaction that committed late), so the copied days are exact however
/// often the store is read, and two instances reading one store leave the later read in place.
public struct ActivityRollup: Sendable {
    let services: PlatformServices
    static let overlapSeconds = 300

    public init(services: PlatformServices) {
        self.services = services
    }

    /// Rolls up the stores; returns those that failed (to try again on the next run).
    public func run(_ tenantIDs: Set<String>, now: Date = Date()) async -> Set<String> {
        var failed: Set<String> = []
        for id in tenantIDs.sorted() {
            do {
                try await rollUp(tenantID: id, now: now)
            } catch {
                failed.insert(id)
                services.logger.warning(
                    "store activity not rolled up; tried again next time",
                    metadata: ["tenant": .string(id), "error": .string(DatabaseErrors.summary(error))])
            }
        }
        return failed
    }

    func rollUp(tenantID: String, now: Date) async throws {
        // Only an open store: a suspended or deleted store's database stays closed (a deleted
        // one's may be gone), and one being created has nothing to add.
        guard let tenant = try await services.registry.find(id: tenantID), tenant.status == .active else { return }
        let activity = PlatformActivity(database: services.platformDatabase)
        let since = try await activity.rolledUpAt(tenantID: tenantID).map { $0 - Self.overlapSeconds } ?? 0
        let readAt = Int(now.timeIntervalSince1970)
        let store = try await services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) {
            try await StoreActivity.load(from: $0, changedSince: since)
        }
        let snapshot = PlatformActivity.Snapshot(
            days: store.days.map { PlatformActivity.Day(day: $0.day, orders: $0.orders, gmv: $0.gmv, refunds: $0.refunds) },
            lastOrderAt: store.lastOrderAt, lastStaffSignInAt: store.lastStaffSignInAt, databaseBytes: store.databaseBytes, currency: store.currency)
        try await activity.record(tenantID: tenantID, snapshot, readAt: readAt)
    }
}
