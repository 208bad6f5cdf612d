import Foundation
import LeopardCommerce
import LeopardPlatform
import LeopardStorage
import Logging
import SQLKit

/// Copies each busy store's sales by UTC day, last order, last staff sign-in and size into the
/// platform database (`PlatformActivity`), for the operator's reports across stores. It runs
/// after each half-minute write of the request counts, for the stores that had requests or were
/// marked changed (orders expired without a request, a restore): an idle store is not opened
/// for it, except once by the backfill of stores never rolled up.
///
/// Each run rereads whole days whose ledger entries were written since the last run began (less
/// five minutes, for a transaction that committed late), so the copied days are exact however
/// often the store is read, and two instances reading one store leave the later read in place.
/// The instances' clocks must agree within those five minutes (NTP).
public struct ActivityRollup: Sendable {
    let services: PlatformServices
    static let overlapSeconds = 300
    /// Stores never rolled up, read per half-minute round until every one has been.
    static let backfillPerRound = 10

    public init(services: PlatformServices) {
        self.services = services
    }

    /// Rolls up the stores; one that fails is marked changed, to be tried after the next flush.
    public func run(_ tenantIDs: Set<String>, now: Date = Date()) async {
        for id in tenantIDs.sorted() {
            do {
                try await rollUp(tenantID: id, now: now)
            } catch {
                services.usage.markChanged(tenantID: id)
                services.logger.warning(
                    "store activity not rolled up; tried again next time",
                    metadata: ["tenant": .string(id), "error": .string(DatabaseErrors.summary(error))])
            }
        }
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
        if try await !activity.record(tenantID: tenantID, snapshot, readAt: readAt) {
            services.logger.notice(
                "store activity not written: a later read is there already (another instance, or a clock ahead of this one)",
                metadata: ["tenant": .string(tenantID)])
        }
    }

    /// Active stores never rolled up (they had no request since this version started), after
    /// `cursor` in id order; the last id read, or nil once the end was reached.
    func unrolled(after cursor: String) async throws -> (ids: [String], next: String?) {
        let ids = try await services.platformDatabase.read { sql in
            try await sql.raw(
                """
                SELECT id FROM tenants WHERE status = 'active' AND id > \(bind: cursor)
                  AND NOT EXISTS (SELECT 1 FROM tenant_activity a WHERE a.tenant_id = tenants.id)
                ORDER BY id LIMIT \(bind: Self.backfillPerRound)
                """
            ).all().map { try $0.decode(column: "id", as: String.self) }
        }
        return (ids, ids.count == Self.backfillPerRound ? ids.last : nil)
    }
}
