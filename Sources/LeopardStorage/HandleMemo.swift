import Synchronization

/// Values read from one database handle and kept beside it, such as the store's settings that
/// nearly every request reads: reused while nothing was written through the handle since (its
/// `writeGeneration` unchanged) and for at most a short time, so a write by another process
/// shows within that time. Kept per handle, so one store's values can never answer another's.
public final class HandleMemo: Sendable {
    struct Entry {
        let value: any Sendable
        let generation: UInt64
        let readAt: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// A handful of keys per store; more is a bug, and a full memo simply starts over.
    static let maximumEntries = 32

    public init() {}

    func value<T: Sendable>(_ key: String, as type: T.Type, generation: UInt64, trust: Duration, now: ContinuousClock.Instant) -> T? {
        entries.withLock { entries in
            guard let entry = entries[key], entry.generation == generation, now - entry.readAt < trust else { return nil }
            return entry.value as? T
        }
    }

    func store(_ key: String, _ value: some Sendable, generation: UInt64, readAt: ContinuousClock.Instant) {
        entries.withLock { entries in
            if entries.count >= Self.maximumEntries, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(value: value, generation: generation, readAt: readAt)
        }
    }
}

extension DatabaseHandle {
    /// `load`'s result under `key`, reused for up to `trust` while nothing is written through
    /// this handle. The generation is read before `load`, so a write that lands meanwhile makes
    /// the next call read again.
    public func memoized<T: Sendable>(_ key: String, trust: Duration = .seconds(1), _ load: () async throws -> T) async throws -> T {
        let generation = writeGeneration
        let now = ContinuousClock.now
        // The type is part of the key: a nil of one optional type would cast to any other.
        let key = "\(key):\(T.self)"
        if let known = memo.value(key, as: T.self, generation: generation, trust: trust, now: now) { return known }
        let value = try await load()
        memo.store(key, value, generation: generation, readAt: now)
        return value
    }
}
