/// Hands out connections one caller at a time, opening new ones on demand up to `maximum`, and
/// queues the callers that find none free.
actor ConnectionLeases<Connection: Sendable> {
    typealias Factory = @Sendable () async throws -> Connection

    private var idle: [Connection]
    private var opened: Int
    private let maximum: Int
    private let factory: Factory?
    private var waiters: [CheckedContinuation<Connection, any Error>] = []
    private var closed = false

    /// A fixed set of connections.
    init(_ connections: [Connection]) {
        self.idle = connections
        self.opened = connections.count
        self.maximum = connections.count
        self.factory = nil
    }

    /// Connections opened by `factory` when first needed, at most `maximum` of them.
    init(maximum: Int, factory: @escaping Factory) {
        self.idle = []
        self.opened = 0
        self.maximum = max(1, maximum)
        self.factory = factory
    }

    func acquire() async throws -> Connection {
        guard !closed else { throw DatabaseClosedError() }
        if let connection = idle.popLast() { return connection }
        if let factory, opened < maximum {
            opened += 1
            do {
                return try await factory()
            } catch {
                opened -= 1
                // A caller queued behind this open would otherwise wait for a connection that
                // never comes: it hears the same failure.
                if !waiters.isEmpty { waiters.removeFirst().resume(throwing: error) }
                throw error
            }
        }
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

    /// An idle connection if there is one now; never opens one or waits.
    func tryAcquire() -> Connection? {
        guard !closed else { return nil }
        return idle.popLast()
    }

    /// Whether no connection has been opened yet (readers open on first use).
    var noneOpened: Bool { opened == 0 }

    /// Marks the pool closed, fails the waiters and gives back the idle connections to close.
    func drain() -> [Connection] {
        closed = true
        for waiter in waiters { waiter.resume(throwing: DatabaseClosedError()) }
        waiters.removeAll()
        defer { idle.removeAll() }
        return idle
    }
}
