import Logging
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// A pooled PostgreSQL database (PostgresNIO's `PostgresClient`), run in a task of its own that
/// `close()` cancels.
public final class PostgresDatabaseHandle: DatabaseHandle {
    public let kind: DatabaseKind = .postgres
    private let generation = WriteGeneration()
    public var writeGeneration: UInt64 { generation.current }
    public let memo = HandleMemo()
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    /// Statements run at the start of every lease (the template build uses `SET ROLE`).
    private let sessionSetup: [String]
    /// How long a request waits for a connection before it fails with `DatabaseUnavailable`;
    /// nil waits as long as the pool does (the platform database, where a burst of signups
    /// queues for `CREATE DATABASE`).
    private let leaseTimeout: Duration?
    private let logger: Logger
    /// The database's name, for the operator's log.
    private let databaseName: String

    public init(
        configuration: PostgresClient.Configuration, sessionSetup: [String] = [], leaseTimeout: Duration? = nil,
        logger: Logger = Logger(label: "leopard.postgres")
    ) {
        self.leaseTimeout = leaseTimeout
        self.logger = logger
        self.databaseName = configuration.database ?? configuration.username
        // The pool's background log says little an operator can act on, and warns about a lease
        // taken before `run()` has been scheduled, which is harmless: the lease waits for it.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        self.client = client
        self.sessionSetup = sessionSetup
        self.runTask = Task { await client.run() }
    }

    /// Opens a pool on `database` (the server's own unless given) as `username` (the platform's
    /// login unless given), after proving with one plain connection that the server accepts the
    /// login: a wrong password or a refused database fails here, at once, rather than leaving
    /// requests waiting on a pool that keeps retrying. `probe: false` skips that proof, for a
    /// login made moments ago by this platform (a signup's new database).
    public static func connect(
        server: PostgresServer,
        database: String? = nil,
        username: String? = nil,
        password: String? = nil,
        maximumConnections: Int,
        idleTimeout: Duration = .seconds(60),
        sessionSetup: [String] = [],
        probe: Bool = true,
        leaseTimeout: Duration? = nil,
        logger: Logger = Logger(label: "leopard.postgres")
    ) async throws -> PostgresDatabaseHandle {
        if probe {
            var quiet = logger
            quiet.logLevel = max(logger.logLevel, .error)
            let connection = try await PostgresConnection.connect(
                configuration: try server.connectionConfiguration(database: database, username: username, password: password),
                id: 0,
                logger: quiet
            )
            try? await connection.close()
        }
        let configuration = server.clientConfiguration(
            database: database, username: username, password: password, maximumConnections: maximumConnections, idleTimeout: idleTimeout)
        return PostgresDatabaseHandle(configuration: configuration, sessionSetup: sessionSetup, leaseTimeout: leaseTimeout, logger: logger)
    }

    /// `client.withConnection`, failing when no connection comes within `leaseTimeout` (the pool
    /// keeps retrying a server that is down for much longer; a store's request should not).
    /// Only the wait for the connection is timed, never the work done on it.
    private func withConnection<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        // A connection the server has closed may still be handed out for a moment: the body
        // does not run on it, and another is leased (after the pool has heard of the close).
        var attempt = 1
        while true {
            do {
                return try await withLeasedConnection { connection in
                    guard !connection.isClosed else {
                        try? await connection.closeFuture.get()
                        throw StaleConnection()
                    }
                    return try await body(connection)
                }
            } catch is StaleConnection where attempt < 3 {
                attempt += 1
            } catch is StaleConnection {
                throw DatabaseConnectionLost()
            }
        }
    }

    private struct StaleConnection: Error {}

    private func withLeasedConnection<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        guard let leaseTimeout else { return try await client.withConnection(body) }
        return try await withoutActuallyEscaping(body) { body in
            let lease = LeaseRace()
            let client = self.client
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await client.withConnection { connection in
                        // The body runs only if the lease came before the deadline: a request
                        // answered 503 never does its work behind the caller's back.
                        guard lease.leased() else { throw DatabaseUnavailable(waited: leaseTimeout) }
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: leaseTimeout)
                    if lease.timedOut() { throw DatabaseUnavailable(waited: leaseTimeout) }
                    return nil
                }
                while let result = try await group.next() {
                    if let value = result {
                        group.cancelAll()
                        return value
                    }
                }
                throw CancellationError()
            }
        }
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withConnection { connection in
            let sql: any SQLDatabase = LiveConnectionSQLDatabase(connection: connection, base: connection.sql(queryLogLevel: nil))
            for statement in sessionSetup { try await sql.raw(SQLQueryString(statement)).run() }
            return try await body(sql)
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        defer { generation.advance() }
        return try await withConnection { connection in
            let sql: any SQLDatabase = LiveConnectionSQLDatabase(connection: connection, base: connection.sql(queryLogLevel: nil))
            for statement in sessionSetup { try await sql.raw(SQLQueryString(statement)).run() }
            try await sql.raw("BEGIN").run()
            do {
                let result = try await body(sql)
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    public func writeStatement<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        defer { generation.advance() }
        return try await read(body)
    }

    /// How long `close()` waits for the pool to shut down.
    static let closeLimit: Duration = .seconds(3)

    /// Shuts the pool down, waiting at most `closeLimit`. A pool whose shutdown does not finish
    /// (PostgresNIO 1.33, seen in benchmarks: a signup that evicted a store waited forever, with
    /// the connections gone from the server; later this limit was reached once in 800 signups)
    /// is left to finish in the background and logged: closing a store never holds a request
    /// for long.
    public func close() async {
        runTask.cancel()
        if await !waitAtMost(Self.closeLimit, for: runTask) {
            logger.warning(
                "a PostgreSQL pool did not shut down in time; left to finish in the background",
                metadata: ["database": .string(databaseName), "waited": .string("\(Self.closeLimit)")])
        }
    }
}

/// Which came first for one request: its connection, or its deadline. Decided once.
final class LeaseRace: Sendable {
    private enum State { case waiting, leased, timedOut }
    private let state = Mutex(State.waiting)

    /// The connection arrived: true when it beat the deadline.
    func leased() -> Bool {
        state.withLock { state in
            if state == .waiting { state = .leased }
            return state == .leased
        }
    }

    /// The deadline passed: true when no connection came first.
    func timedOut() -> Bool {
        state.withLock { state in
            if state == .waiting { state = .timedOut }
            return state == .timedOut
        }
    }
}
