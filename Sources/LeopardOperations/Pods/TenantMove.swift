import Foundation
import LeopardCore
import LeopardPlatform
import LeopardStorage

/// `leopard tenants move ID --to POD`: a store's database to another PostgreSQL server.
///
/// 1. The registry records where the copy goes, in a conditional update that only one move
///    (or restore) can win. From then on every instance hears of it through the change feed and
///    answers the store's writes with 503 and `Retry-After`; reads go on.
/// 2. The old database is made read-only and its open sessions are ended and waited for, so a
///    write already in flight rolls back instead of landing after the copy.
/// 3. `pg_dump` as the store's role, restored into a new database and role on the target server.
/// 4. Both copies are read back as text (`StoreExport`) and must be equal.
/// 5. The registry points at the copy and clears the move in one update; the store is writable.
/// 6. The old database and role are dropped.
///
/// A failure before step 5 undoes everything in the opposite order (the move is cleared first,
/// so nothing can switch to a copy that is being removed): the store stays where it was, and is
/// writable again. A move whose process died leaves the store read-only until
/// `leopard tenants move ID --abort`.
public struct TenantMove: Sendable {
    let services: PlatformServices
    /// Tests fail a move at each step, or look at the store while it is read-only. No route reaches it.
    let checkpoint: @Sendable (Step, Tenant) async throws -> Void

    enum Step: String, Sendable, CaseIterable {
        /// The move is recorded and the old database refuses writes.
        case writesPaused
        /// The copy is on the target server.
        case copied
        /// The copy reads back the same as the original.
        case verified
    }

    public init(services: PlatformServices) {
        self.init(services: services, checkpoint: { _, _ in })
    }

    init(services: PlatformServices, checkpoint: @escaping @Sendable (Step, Tenant) async throws -> Void) {
        self.services = services
        self.checkpoint = checkpoint
    }

    struct Refused: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    public struct Report: Sendable {
        public let tenant: Tenant
        public let from: String
        public let to: String
        /// Tables and rows found equal in both copies.
        public let tables: Int
        public let rows: Int
        /// How long writes were refused.
        public let readOnly: Duration
        public let total: Duration
        /// Whether the old database was dropped (a failure there is logged; the move stands).
        public let oldDropped: Bool
    }

    /// The name of the platform's own server in `pods list` and `--to`.
    public static let home = "main"

    public func move(_ idOrSlug: String, to podName: String) async throws -> Report {
        let clock = ContinuousClock()
        let started = clock.now
        guard let pods = services.pods, let provider = services.databases.provider as? any TenantDatabaseWritePause else {
            throw Refused("moves are between PostgreSQL servers: start the platform with --database-url and add pods")
        }
        let (tenant, targetPod, from) = try await movable(idOrSlug, to: podName, pods: pods)
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        var target = try provider.plan(tenantID: "\(tenant.id)_m\(suffix)")
        target.pod = targetPod
        guard let moving = try await services.registry.beginMove(id: tenant.id, from: tenant.database, to: target) else {
            throw Refused("store \(tenant.slug) changed meanwhile (another move or a restore); nothing was moved")
        }
        await services.directory.invalidate(id: tenant.id, slug: tenant.slug)
        let paused = clock.now
        services.logger.notice("moving a store: writes paused", metadata: ["tenant": .string(tenant.id), "from": .string(from), "to": .string(podName)])

        let (compared, hold) = try await copy(tenant, to: target, moving: moving, provider: provider)

        let moved: Tenant
        do {
            guard let done = try await services.registry.finishMove(id: tenant.id, from: tenant.database, to: target) else {
                await giveUp(moving, target: target, dropTarget: true, hold: hold, provider: provider, reason: Refused("the store changed meanwhile"))
                throw Refused("store \(tenant.slug) was changed or its move aborted meanwhile; nothing was moved")
            }
            moved = done
        } catch let refused as Refused {
            throw refused
        } catch {
            // The switch may have committed before the error: the registry says which.
            guard let now = try? await services.registry.find(id: tenant.id) else {
                // The switch may or may not stand: writes waiting on the old database are ended
                // rather than let through (it stays read-only either way).
                await hold?.endWriters()
                throw Refused(
                    "the registry could not be read after the switch (\(DatabaseErrors.summary(error))); once it answers, run leopard tenants move \(tenant.id) --abort if the store is still being moved"
                )
            }
            if now.database != target {
                await giveUp(moving, target: target, dropTarget: true, hold: hold, provider: provider, reason: error)
                throw error
            }
            moved = now
        }
        let writable = clock.now
        await services.directory.invalidate(id: tenant.id, slug: tenant.slug)

        let dropped = await dropOld(tenant, from: from, provider: provider)
        await hold?.endWriters()
        // Only now: closing waits for requests in flight, and a write waiting behind the locks
        // would have waited for the drop above.
        await services.databases.close(tenantID: tenant.id)
        services.logger.notice("store moved", metadata: ["tenant": .string(tenant.id), "from": .string(from), "to": .string(podName)])
        return Report(
            tenant: moved, from: from, to: podName, tables: compared.count, rows: compared.values.reduce(0, +),
            readOnly: writable - paused, total: clock.now - started, oldDropped: dropped)
    }

    /// The store and where it goes, once the move is possible: PostgreSQL pods, a store that is
    /// active or suspended and not being moved, a target pod that exists and has room.
    private func movable(_ idOrSlug: String, to podName: String, pods: PodRegistry) async throws -> (Tenant, String?, String) {
        guard let tenant = try await services.registry.find(idOrSlug: idOrSlug) else { throw Refused("there is no store \(idOrSlug.prefix(64))") }
        let targetPod: String? = podName == Self.home ? nil : podName
        if let targetPod, try await pods.server(named: targetPod) == nil {
            throw Refused("there is no pod \(targetPod.prefix(64)) (see leopard pods list)")
        }
        let from = tenant.database.pod ?? Self.home
        guard tenant.database.pod != targetPod else { throw Refused("store \(tenant.slug) is on \(from) already") }
        guard TenantRegistry.movable.contains(tenant.status) else { throw Refused("store \(tenant.slug) is still being created") }
        guard !tenant.isReadOnly else {
            throw Refused("store \(tenant.slug) is being moved already; if that move's process is gone, run leopard tenants move \(tenant.id) --abort")
        }
        if let load = try await pods.load().first(where: { $0.pod == targetPod }), let limit = load.maxStores, load.stores >= limit {
            throw Refused("pod \(podName) is full (\(load.stores) of \(limit) stores)")
        }
        return (tenant, targetPod, from)
    }

    /// Pauses the store's writes, copies its database to `target` and compares the copies;
    /// gives the move up (the store stays and takes writes again) on any failure.
    private func copy(
        _ tenant: Tenant, to target: TenantDatabaseLocation, moving: Tenant, provider: any TenantDatabaseWritePause
    ) async throws
        -> ([String: Int], WritePauseHold?)
    {
        var loaded = false
        var hold: WritePauseHold?
        do {
            hold = try await provider.pauseWrites(tenant.database)
            try await checkpoint(.writesPaused, moving)
            // A private folder: the dump is the whole store.
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("leopard-move-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            defer { try? FileManager.default.removeItem(at: scratch) }
            let file = scratch.appendingPathComponent(provider.dumpFileName).path
            try await provider.dump(tenant.database, to: file)
            try await provider.load(file, into: target)
            loaded = true
            try await checkpoint(.copied, moving)
            let compared = try await equalCopies(tenant.database, target, provider: provider)
            try await checkpoint(.verified, moving)
            return (compared, hold)
        } catch {
            await giveUp(moving, target: target, dropTarget: loaded, hold: hold, provider: provider, reason: error)
            throw error
        }
    }

    /// Dropping ends every session on the old database, the lock holder's and any write
    /// waiting behind its locks, so nothing commits there after the switch. A failure is
    /// logged; the move stands.
    private func dropOld(_ tenant: Tenant, from: String, provider: any TenantDatabaseWritePause) async -> Bool {
        do {
            try await provider.drop(tenant.database)
            return true
        } catch {
            services.logger.error(
                "the store moved, but its old database could not be dropped; it is left behind, read-only",
                metadata: [
                    "tenant": .string(tenant.id), "database": .string(tenant.database.name), "pod": .string(from),
                    "error": .string(DatabaseErrors.summary(error)),
                ])
            return false
        }
    }

    /// Gives up a move whose process is gone: the store stays where it is and takes writes again.
    /// Also mends a store whose database a failed move left refusing writes.
    public func abort(_ idOrSlug: String) async throws -> Tenant {
        guard let provider = services.databases.provider as? any TenantDatabaseWritePause else {
            throw Refused("moves are between PostgreSQL servers; this platform has none to abort")
        }
        guard let tenant = try await services.registry.find(idOrSlug: idOrSlug) else { throw Refused("there is no store \(idOrSlug.prefix(64))") }
        guard tenant.isReadOnly else {
            guard try await provider.isPaused(tenant.database) else { throw Refused("store \(tenant.slug) is not being moved") }
            try await provider.resumeWrites(tenant.database)
            services.logger.notice("store's database takes writes again after a failed move", metadata: ["tenant": .string(tenant.id)])
            return tenant
        }
        // Cleared first: a move still running cannot switch to the copy once it is cleared.
        guard let back = try await services.registry.cancelMove(id: tenant.id, target: tenant.moveTarget) else {
            throw Refused("store \(tenant.slug) changed meanwhile; look again")
        }
        await services.directory.invalidate(id: tenant.id, slug: tenant.slug)
        try await provider.resumeWrites(tenant.database)
        services.logger.notice("store move aborted", metadata: ["tenant": .string(tenant.id)])
        guard let target = tenant.moveTarget else {
            throw Refused(
                "store \(tenant.slug) takes writes again where it was; the move's record could not be read, so its unfinished copy (if any) was not removed: look for a database named \(tenant.database.name.prefix(40))…_m… on the target server"
            )
        }
        do {
            try await provider.drop(target)
        } catch {
            throw Refused(
                "store \(tenant.slug) takes writes again where it was, but its unfinished copy \(target.name) on \(target.pod ?? Self.home) could not be removed: \(DatabaseErrors.summary(error))"
            )
        }
        return back
    }

    /// Reads both databases back as text; returns the rows per table when they are equal.
    private func equalCopies(
        _ original: TenantDatabaseLocation, _ copy: TenantDatabaseLocation, provider: any TenantDatabaseProvider
    ) async throws -> [String: Int] {
        func read(_ location: TenantDatabaseLocation) async throws -> (text: String, counts: [String: Int]) {
            let handle = try await provider.open(location)
            do {
                let export = StoreExport(database: handle)
                let result = (try await export.text(), try await export.counts())
                await handle.close()
                return result
            } catch {
                await handle.close()
                throw error
            }
        }
        let before = try await read(original)
        let after = try await read(copy)
        guard before.text == after.text else {
            let differing = Set(before.counts.keys).union(after.counts.keys).sorted().filter { before.counts[$0] != after.counts[$0] }
            throw Refused(
                "the copy does not read back the same as the original" + (differing.isEmpty ? "" : " (rows differ in \(differing.joined(separator: ", ")))")
                    + "; nothing was moved")
        }
        return before.counts
    }

    /// Undoes a move that did not switch. The record is cleared first, so nothing can switch to the
    /// copy; the copy is ours alone (its name is new) and never served, so it is always removed.
    /// Writes are turned back on only when the record was still this move's: if an operator
    /// aborted it meanwhile (and perhaps started another move), the database is theirs now.
    private func giveUp(
        _ tenant: Tenant, target: TenantDatabaseLocation, dropTarget: Bool, hold: WritePauseHold?, provider: any TenantDatabaseWritePause, reason: any Error
    ) async {
        services.logger.error("store move failed; undoing it", metadata: ["tenant": .string(tenant.id), "error": .string(DatabaseErrors.summary(reason))])
        var stillOurs = false
        do {
            stillOurs = try await services.registry.cancelMove(id: tenant.id, target: target) != nil
            if !stillOurs {
                services.logger.warning(
                    "the move's record was changed by someone else (an abort?); leaving the store's database as it is", metadata: ["tenant": .string(tenant.id)]
                )
            }
        } catch {
            services.logger.error(
                "could not clear the move in the registry; the store stays read-only until leopard tenants move --abort",
                metadata: ["tenant": .string(tenant.id), "error": .string(DatabaseErrors.summary(error))])
        }
        await hold?.release()
        await services.directory.invalidate(id: tenant.id, slug: tenant.slug)
        if dropTarget {
            do { try await provider.drop(target) } catch {
                services.logger.error(
                    "could not remove the store's unfinished copy",
                    metadata: [
                        "tenant": .string(tenant.id), "database": .string(target.name), "error": .string(DatabaseErrors.summary(error)),
                    ])
            }
        }
        guard stillOurs else { return }
        do { try await provider.resumeWrites(tenant.database) } catch {
            services.logger.error(
                "could not make the store's database writable again; run leopard tenants move --abort to retry",
                metadata: ["tenant": .string(tenant.id), "error": .string(DatabaseErrors.summary(error))])
        }
    }
}
