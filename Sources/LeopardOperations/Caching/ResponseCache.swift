import LeopardCommerce
import LeopardStorage
import NIOCore
import Synchronization

/// Rendered public catalog responses, each valid for one catalog version of one store and for
/// at most `stockMaxAge`: stock changes (every order makes one) do not raise the catalog
/// version, so the stock a cached response shows is at most that old. Checkout always checks
/// live stock. Keys always start with the store's id, so one store's entry can never answer
/// another's request. Bounded by entries and bytes; the least recently used quarter goes when
/// either is exceeded.
public final class ResponseCache: Sendable {
    public struct Entry: Sendable {
        let version: Int
        public let body: ByteBuffer
        /// A digest of the body (FNV-1a), the same in every process for the same bytes: the
        /// response's ETag.
        public let tag: String
        let storedAt: ContinuousClock.Instant
        var lastUse: UInt64
    }

    /// How old the stock in a cached response may be.
    public static let stockMaxAge: Duration = .seconds(2)

    struct KnownVersion {
        let version: Int
        public let generation: UInt64
        let checkedAt: ContinuousClock.Instant
    }

    struct State {
        var versions: [String: KnownVersion] = [:]
        var entries: [String: Entry] = [:]
        public var bytes = 0
        var clock: UInt64 = 0
    }

    let maximumEntries: Int
    let maximumBytes: Int
    /// Responses larger than this are not kept.
    let maximumEntryBytes = 512 * 1024
    private let state = Mutex(State())

    init(maximumEntries: Int = 4096, maximumBytes: Int = 64 * 1024 * 1024) {
        self.maximumEntries = maximumEntries
        self.maximumBytes = maximumBytes
    }

    static func key(tenantID: String, resource: String) -> String {
        tenantID + " " + resource
    }

    /// The body stored for `resource` of `tenantID` at exactly `version`, if it is younger
    /// than `stockMaxAge`.
    public func body(tenantID: String, resource: String, version: Int, now: ContinuousClock.Instant = .now) -> ByteBuffer? {
        entry(tenantID: tenantID, resource: resource, version: version, now: now)?.body
    }

    /// The entry stored for `resource` of `tenantID` at exactly `version`, if it is younger
    /// than `stockMaxAge`.
    public func entry(tenantID: String, resource: String, version: Int, now: ContinuousClock.Instant = .now) -> Entry? {
        let key = Self.key(tenantID: tenantID, resource: resource)
        return state.withLock { state in
            guard var entry = state.entries[key], entry.version == version, now - entry.storedAt < Self.stockMaxAge else { return nil }
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[key] = entry
            return entry
        }
    }

    /// Keeps `body`, rendered from reads that began at `now`, and returns its ETag (whether or
    /// not it was kept: too large, or older than what is kept).
    @discardableResult
    public func store(_ body: ByteBuffer, tenantID: String, resource: String, version: Int, now: ContinuousClock.Instant = .now) -> String {
        let tag = Self.digest(body)
        guard body.readableBytes <= maximumEntryBytes else { return tag }
        let key = Self.key(tenantID: tenantID, resource: resource)
        state.withLock { state in
            if let old = state.entries[key] {
                // A slower render of the same version must not pass for a newer one.
                guard old.version < version || (old.version == version && old.storedAt <= now) else { return }
                state.bytes -= old.body.readableBytes
            }
            state.clock += 1
            state.entries[key] = Entry(version: version, body: body, tag: tag, storedAt: now, lastUse: state.clock)
            state.bytes += body.readableBytes
            if state.entries.count > maximumEntries || state.bytes > maximumBytes {
                let victims = state.entries.sorted { $0.value.lastUse < $1.value.lastUse }.prefix(max(1, state.entries.count / 4))
                for (victim, entry) in victims {
                    state.entries[victim] = nil
                    state.bytes -= entry.body.readableBytes
                }
            }
        }
        return tag
    }

    /// FNV-1a (64 bits) of the body, in hexadecimal: stable across processes, so instances
    /// behind one load balancer give the same ETag for the same response.
    static func digest(_ body: ByteBuffer) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        body.withUnsafeReadableBytes { bytes in
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        return String(hash, radix: 16)
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// Drops everything kept for the store (its database was replaced by a restore, whose
    /// catalog versions may repeat numbers already seen).
    func invalidate(tenantID: String) {
        let prefix = Self.key(tenantID: tenantID, resource: "")
        state.withLock { state in
            state.versions[tenantID] = nil
            for (key, entry) in state.entries where key.hasPrefix(prefix) {
                state.entries[key] = nil
                state.bytes -= entry.body.readableBytes
            }
        }
    }

    /// How long a catalog version read from a store's database is trusted while nothing is
    /// written through this process: writes by other processes show within this time.
    static let versionTrust: Duration = .seconds(1)

    /// The store's catalog version as last read, if nothing was written through this process's
    /// handle since (`generation` unchanged) and it was read less than `versionTrust` ago.
    func knownVersion(tenantID: String, generation: UInt64, now: ContinuousClock.Instant = .now) -> Int? {
        state.withLock { state in
            guard let known = state.versions[tenantID], known.generation == generation, now - known.checkedAt < Self.versionTrust else { return nil }
            return known.version
        }
    }

    /// Records a version read from the database; `generation` must be read before the version.
    func remember(version: Int, tenantID: String, generation: UInt64, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            if state.versions.count >= maximumEntries, state.versions[tenantID] == nil { state.versions.removeAll(keepingCapacity: true) }
            state.versions[tenantID] = KnownVersion(version: version, generation: generation, checkedAt: now)
        }
    }
}

extension ResponseCache {
    /// The store's catalog version: as last read while that can be trusted, else read now.
    public func catalogVersion(tenantID: String, database: any DatabaseHandle) async throws -> Int {
        let generation = database.writeGeneration
        if let known = knownVersion(tenantID: tenantID, generation: generation) { return known }
        let version = try await CatalogVersion.current(database)
        remember(version: version, tenantID: tenantID, generation: generation)
        return version
    }
}
