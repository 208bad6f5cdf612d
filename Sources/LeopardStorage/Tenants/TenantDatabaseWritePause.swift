/// Pausing writes on a store's database while it is copied elsewhere (`leopard tenants move`).
/// The platform refuses write requests for a store being moved; this is the database's own
/// guarantee beneath that, for a request already in flight or an instance that has not heard
/// of the move yet: whatever is written after the copy starts would be lost with the old copy.
public protocol TenantDatabaseWritePause: TenantDatabaseProvider, TenantDatabaseDumps {
    /// Makes the database refuse writes: new sessions are read-only, and sessions open before
    /// (which may be in the middle of a write) are ended and waited for, their transactions
    /// rolled back. Reads go on.
    func pauseWrites(_ location: TenantDatabaseLocation) async throws

    /// Lets the database take writes again (a move that failed or was given up).
    func resumeWrites(_ location: TenantDatabaseLocation) async throws
}

/// Sessions on a database would not end in time when writes were paused.
public struct SessionsStillOpen: Error, CustomStringConvertible {
    public let database: String
    public let count: Int
    public init(database: String, count: Int) {
        self.database = database
        self.count = count
    }
    public var description: String { "\(count) session(s) on \(database) did not end within 5 seconds; writes were not paused" }
}
