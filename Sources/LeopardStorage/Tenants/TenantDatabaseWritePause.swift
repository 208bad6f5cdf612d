/// Pausing writes on a store's database while it is copied elsewhere (`leopard tenants move`).
/// The platform refuses write requests for a store being moved; this is the database's own
/// guarantee beneath that, for a request already in flight or an instance that has not heard of
/// the move yet: whatever committed after the copy started would be lost with the old copy.
public protocol TenantDatabaseWritePause: TenantDatabaseProvider, TenantDatabaseDumps {
    /// Makes the database refuse writes and holds them off until the returned hold ends:
    /// - new sessions are read-only, so a write fails at once;
    /// - the store's sessions from before (which may be in the middle of a write) are ended,
    ///   their transactions rolled back;
    /// - a lock on every table, held by a session of its own, blocks any write that still gets
    ///   through (a session that was starting meanwhile) until the hold ends.
    /// Reads go on throughout.
    func pauseWrites(_ location: TenantDatabaseLocation) async throws -> WritePauseHold

    /// Lets the database take writes again (a move that failed or was given up): new sessions
    /// are writable, and the read-only ones opened meanwhile are ended so that pools reconnect.
    func resumeWrites(_ location: TenantDatabaseLocation) async throws

    /// Whether the database is set to refuse writes (a pause that was never resumed).
    func isPaused(_ location: TenantDatabaseLocation) async throws -> Bool
}

/// What keeps a paused database's writes out. End it exactly once.
public struct WritePauseHold: Sendable {
    let endBody: @Sendable (_ endingWriters: Bool) async -> Void

    public init(end: @escaping @Sendable (_ endingWriters: Bool) async -> Void) {
        self.endBody = end
    }

    /// Lets blocked writes go on (the database stays the store's: a move that failed).
    public func release() async { await endBody(false) }

    /// Ends every other session of the store on the database first, then lets go: for a
    /// database the store has moved away from, where a blocked write must never commit.
    public func endWriters() async { await endBody(true) }
}
