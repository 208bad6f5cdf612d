import Logging

/// The connection manager for store databases.
///
/// - One open per store, however many requests arrive at once (later arrivals await the first).
/// - At most `capacity` stores open; when full, the least recently used idle store is closed. When
///   every open store is in use, a new one waits until one is released.
/// - Pending tenant migrations run when a store is opened.
/// - Counts hits, misses and evictions.
/// - Keeps spare databases open ahead of signups when asked (`warm(spare:)`): a new store then
///   starts on a handle that is already open and migrated, and opening 100 databases is not part
///   of a burst of 100 signups.
public actor TenantDatabases {
    public struct Stats: Sendable, Equatable {
        public var open: Int
        public var inUse: Int
        public var hits: Int
        public var misses: Int
        public var evictions: Int
        public var capacity: Int
    }

    private struct Entry {
        var handle: any DatabaseHandle
        /// Where the handle points: a restore moves a store to another database.
        var location: TenantDatabaseLocation
        var leases: Int
        var lastUsed: UInt64
        /// Close when the last lease is returned (the store was suspended, deleted or purged).
        var retiring: Bool
        /// When the handle opened, or when `drainOpenTime` last counted its time.
        var since = ContinuousClock.now
    }

    private enum Slot {
        case opening(Task<any DatabaseHandle, any Error>, TenantDatabaseLocation)
        case open(Entry)
    }

    public nonisolated let provider: any TenantDatabaseProvider
    public nonisolated let migrator: Migrator
    public nonisolated let capacity: Int
    private let logger: Logger
    private var slots: [String: Slot] = [:]
    private var capacityWaiters: [CheckedContinuation<Void, Never>] = []
    /// Requests and closers waiting for a retiring store's handle to close.
    private var closeWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    private var shuttingDown = false
    private var clock: UInt64 = 0
    private var hits = 0
    private var misses = 0
    private var evictions = 0
    /// Spare databases held open for the next signups, by database name.
    private var warmSpares: [String: (location: TenantDatabaseLocation, handle: any DatabaseHandle)] = [:]
    private var warming: Set<String> = []
    /// How long each store's handles that closed since the last `drainOpenTime` were open.
    private var openTime: [String: Duration] = [:]

    public init(provider: any TenantDatabaseProvider, migrator: Migrator, capacity: Int, logger: Logger = Logger(label: "leopard.tenant-databases")) {
        self.provider = provider
        self.migrator = migrator
        self.capacity = max(1, capacity)
        self.logger = logger
    }

    /// Runs `body` with the store's database, which stays open (and is not evicted) meanwhile.
    public nonisolated func withDatabase<T: Sendable>(
        tenantID: String,
        location: TenantDatabaseLocation,
        justCreated: Bool = false,
        _ body: @Sendable (any DatabaseHandle) async throws -> T
    ) async throws -> T {
        let handle = try await lease(tenantID: tenantID, location: location, justCreated: justCreated)
        do {
            let result = try await body(handle)
            await release(tenantID: tenantID)
            return result
        } catch {
            await release(tenantID: tenantID)
            throw error
        }
    }

    public func stats() -> Stats {
        var inUse = 0
        for slot in slots.values {
            if case .open(let entry) = slot, entry.leases > 0 { inUse += 1 }
        }
        return Stats(open: slots.count, inUse: inUse, hits: hits, misses: misses, evictions: evictions, capacity: capacity)
    }

    /// Whether the store's handle is waiting for its requests to finish before it closes.
    public func isRetiring(tenantID: String) -> Bool {
        if case .open(let entry) = slots[tenantID] { return entry.retiring }
        return false
    }

    /// Whether the store's database is open here now.
    public func isOpen(tenantID: String) -> Bool {
        if case .open = slots[tenantID] { return true }
        return false
    }

    /// Closes the store's handle and returns once it is closed: at once when idle, otherwise when
    /// the last request using it lets go. Meanwhile no new request gets it (they wait, then open
    /// afresh if they still may).
    public func close(tenantID: String) async {
        switch slots[tenantID] {
        case .open(var entry):
            if entry.leases == 0 {
                slots[tenantID] = nil
                noteClosed(tenantID, entry)
                await entry.handle.close()
                wakeOneWaiter()
                resumeCloseWaiters(tenantID)
            } else {
                entry.retiring = true
                slots[tenantID] = .open(entry)
                await withCheckedContinuation { closeWaiters[tenantID, default: []].append($0) }
            }
        case .opening(let task, _):
            _ = try? await task.value
            await close(tenantID: tenantID)
        case nil:
            return
        }
    }

    /// Closes every handle and refuses new leases (shutdown).
    public func closeAll() async {
        shuttingDown = true
        for waiter in capacityWaiters { waiter.resume() }
        capacityWaiters.removeAll()
        let current = slots
        slots.removeAll()
        for (id, slot) in current {
            if case .open(let entry) = slot { noteClosed(id, entry) }
            switch slot {
            case .open(let entry):
                await entry.handle.close()
            case .opening(let task, _): _ = try? await task.value  // its handle is closed by finishOpening
            }
        }
        let spares = warmSpares
        warmSpares.removeAll()
        for spare in spares.values { await spare.handle.close() }
        for id in Array(closeWaiters.keys) { resumeCloseWaiters(id) }
    }

    private func lease(tenantID: String, location: TenantDatabaseLocation, justCreated: Bool) async throws -> any DatabaseHandle {
        while true {
            guard !shuttingDown else { throw DatabaseClosedError() }
            clock &+= 1
            switch slots[tenantID] {
            case .open(var entry):
                if entry.retiring {
                    // Being closed (suspend, delete, purge): wait for that, then look again.
                    await withCheckedContinuation { closeWaiters[tenantID, default: []].append($0) }
                    continue
                }
                if entry.location != location {
                    // The registry moved the store (a restore, perhaps by another process): close
                    // the old handle once its requests finish, then open the new database.
                    await close(tenantID: tenantID)
                    continue
                }
                hits += 1
                entry.leases += 1
                entry.lastUsed = clock
                slots[tenantID] = .open(entry)
                return entry.handle
            case .opening(let task, _):
                // Share the open in flight. The task stores the open entry (or clears the slot)
                // before it finishes, so after this the loop finds `.open` or nothing.
                _ = try await task.value
                continue
            case nil:
                if slots.count >= capacity {
                    if await !evictLeastRecentlyUsed() {
                        await withCheckedContinuation { capacityWaiters.append($0) }
                    }
                    continue
                }
                misses += 1
                if let spare = warmSpares.removeValue(forKey: location.name) {
                    if spare.location == location {
                        clock &+= 1
                        slots[tenantID] = .open(Entry(handle: spare.handle, location: location, leases: 1, lastUsed: clock, retiring: false))
                        return spare.handle
                    }
                    // Closing suspends: look at the slot and the cap again afterwards.
                    await spare.handle.close()
                    continue
                }
                let provider = self.provider
                let migrator = self.migrator
                let logger = self.logger
                // Detached: the open runs off this actor, and comes back only to record its end.
                let task = Task<any DatabaseHandle, any Error>.detached {
                    let handle: any DatabaseHandle
                    do {
                        handle = try await Self.openAndMigrate(
                            tenantID: tenantID, location: location, justCreated: justCreated, provider: provider, migrator: migrator, logger: logger)
                    } catch {
                        await self.failOpening(tenantID: tenantID)
                        throw error
                    }
                    guard await self.finishOpening(tenantID: tenantID, handle: handle, location: location) else {
                        await handle.close()
                        throw DatabaseClosedError()
                    }
                    return handle
                }
                slots[tenantID] = .opening(task, location)
                // finishOpening counted this caller's lease, so the entry cannot be evicted
                // between the open and this return.
                return try await task.value
            }
        }
    }

    private nonisolated static func openAndMigrate(
        tenantID: String, location: TenantDatabaseLocation, justCreated: Bool, provider: any TenantDatabaseProvider, migrator: Migrator, logger: Logger
    ) async throws -> any DatabaseHandle {
        let handle = try await (justCreated ? provider.openJustCreated(location) : provider.open(location))
        do {
            let applied = try await migrator.migrate(handle)
            if !applied.isEmpty {
                logger.info("migrated store database", metadata: ["tenant": .string(tenantID), "applied": .string(applied.joined(separator: ","))])
            }
            return handle
        } catch {
            await handle.close()
            throw error
        }
    }

    /// Opens a spare database (and applies pending migrations) and keeps it open, outside the
    /// cap, until a new store's first lease takes it over or `discardSpare` closes it. Nothing
    /// happens when it is already open here, under a store or as a spare.
    public func warm(spare location: TenantDatabaseLocation) async throws {
        guard !shuttingDown, !isInUse(location), !warming.contains(location.name) else { return }
        warming.insert(location.name)
        defer { warming.remove(location.name) }
        let handle = try await Self.openAndMigrate(
            tenantID: location.name, location: location, justCreated: true, provider: provider, migrator: migrator, logger: logger)
        do {
            try await handle.prepareForWrites()
        } catch {
            await handle.close()
            throw error
        }
        // A store may have claimed the spare, and opened it, while this open ran.
        guard !shuttingDown, !isInUse(location) else {
            await handle.close()
            return
        }
        warmSpares[location.name] = (location, handle)
    }

    /// Closes a spare held open (it is about to be dropped, or another instance claimed it).
    public func discardSpare(_ location: TenantDatabaseLocation) async {
        if let spare = warmSpares.removeValue(forKey: location.name) { await spare.handle.close() }
    }

    /// Closes the spares held open whose names are not in `names` (claimed elsewhere or dropped).
    public func discardSpares(notIn names: Set<String>) async {
        for name in warmSpares.keys where !names.contains(name) {
            if let spare = warmSpares.removeValue(forKey: name) { await spare.handle.close() }
        }
    }

    /// How many spares are held open.
    public var warmSpareCount: Int { warmSpares.count }

    /// Whether `location` is held open as a spare.
    public func isWarmSpare(_ location: TenantDatabaseLocation) -> Bool {
        warmSpares[location.name]?.location == location
    }

    /// Whether `location` is open here as a spare or under a store (or being opened).
    private func isInUse(_ location: TenantDatabaseLocation) -> Bool {
        if warmSpares[location.name] != nil { return true }
        for slot in slots.values {
            switch slot {
            case .open(let entry) where entry.location == location: return true
            case .opening(_, let opening) where opening == location: return true
            default: continue
            }
        }
        return false
    }

    /// Records an open that finished, with the opener's lease. False during shutdown.
    private func finishOpening(tenantID: String, handle: any DatabaseHandle, location: TenantDatabaseLocation) -> Bool {
        guard !shuttingDown else { return false }
        clock &+= 1
        slots[tenantID] = .open(Entry(handle: handle, location: location, leases: 1, lastUsed: clock, retiring: false))
        return true
    }

    private func failOpening(tenantID: String) {
        slots[tenantID] = nil
        wakeOneWaiter()
    }

    private func release(tenantID: String) async {
        guard case .open(var entry) = slots[tenantID] else { return }
        entry.leases -= 1
        clock &+= 1
        entry.lastUsed = clock
        if entry.leases == 0, entry.retiring {
            slots[tenantID] = nil
            noteClosed(tenantID, entry)
            await entry.handle.close()
            wakeOneWaiter()
            resumeCloseWaiters(tenantID)
            return
        }
        slots[tenantID] = .open(entry)
        if entry.leases == 0 { wakeOneWaiter() }
    }

    private func resumeCloseWaiters(_ tenantID: String) {
        for waiter in closeWaiters.removeValue(forKey: tenantID) ?? [] { waiter.resume() }
    }

    /// Closes the idle store used longest ago. False when every open store is in use.
    private func evictLeastRecentlyUsed() async -> Bool {
        var victim: (id: String, lastUsed: UInt64)?
        for (id, slot) in slots {
            guard case .open(let entry) = slot, entry.leases == 0 else { continue }
            if entry.lastUsed < (victim?.lastUsed ?? .max) { victim = (id, entry.lastUsed) }
        }
        guard let victim, case .open(let entry) = slots[victim.id] else { return false }
        slots[victim.id] = nil
        evictions += 1
        noteClosed(victim.id, entry)
        await entry.handle.close()
        return true
    }

    private func noteClosed(_ tenantID: String, _ entry: Entry) {
        openTime[tenantID, default: .zero] += ContinuousClock.now - entry.since
    }

    /// How long each store's database was open here since the last call: handles closed since,
    /// and those still open up to now (a pool of connections on PostgreSQL, a file on SQLite).
    /// The usage ledger adds it up per hour, for the store's cost.
    public func drainOpenTime() -> [String: Duration] {
        let now = ContinuousClock.now
        var drained = openTime
        openTime.removeAll()
        for (id, slot) in slots {
            guard case .open(var entry) = slot else { continue }
            drained[id, default: .zero] += now - entry.since
            entry.since = now
            slots[id] = .open(entry)
        }
        return drained.filter { $0.value > .zero }
    }

    private func wakeOneWaiter() {
        if !capacityWaiters.isEmpty { capacityWaiters.removeFirst().resume() }
    }
}
