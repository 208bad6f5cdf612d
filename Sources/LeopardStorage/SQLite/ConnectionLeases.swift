/// Hands out connections one caller at a time and queues the callers that find none free.
actor ConnectionLeases<Connection: Sendable> {
    private var idle: [Connection]
    private var waiters: [CheckedContinuation<Connection, any Error>] = []
    private var closed = false

    init(_ connections: [Connection]) {
        self.idle = connections
    }

    func acquire() async throws -> Connection {
        guard !closed else { throw DatabaseClosedError() }
        if let connection = idle.popLast() { return connection }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    /// Returns a connection. Returns false when the pool was closed meanwhile: the caller closes it.
    func release(_ connection: Connection) -> Bool {
        guard !closed else { return false }
        if waiters.isEmpty {
            idle.append(connection)
        } else {
            waiters.removeFirst().resume(returning: connection)
        }
        return true
    }

    /// Marks the pool closed, fails the waiters and gives back the idle connections to close.
    func drain() -> [Connection] {
        closed = true
        for waiter in waiters { waiter.resume(throwing: DatabaseClosedError()) }
        waiters.removeAll()
        defer { idle.removeAll() }
        return idle
    }
}
