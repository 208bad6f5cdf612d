import Synchronization

/// A number that changes whenever a write through one database handle finishes, and that no
/// two handles ever share (it comes from one process-wide clock). Caches compare it to learn,
/// without a query, that nothing was written through this process since they last looked.
public final class WriteGeneration: Sendable {
    private static let clock = Atomic<UInt64>(0)
    private let value: Atomic<UInt64>

    public init() {
        value = Atomic(Self.clock.add(1, ordering: .relaxed).newValue)
    }

    public var current: UInt64 { value.load(ordering: .acquiring) }

    /// Call after a write finished (committed or rolled back).
    public func advance() {
        value.store(Self.clock.add(1, ordering: .relaxed).newValue, ordering: .releasing)
    }
}
