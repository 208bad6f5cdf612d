import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

/// A SQLite database file in WAL mode: one writer connection, and reader connections opened
/// when reads first overlap (at most `readerCount`), so a quiet store costs one connection.
///
/// Writers are serialised here, in Swift, rather than by SQLite's busy handler: transactions
/// queue for the writer and run in batches, each batch one `BEGIN IMMEDIATE … COMMIT` with every
/// transaction in its own savepoint (group commit: one WAL sync per batch, not per order).
/// Readers never wait for the writer (WAL).
public final class SQLiteDatabaseHandle: DatabaseHandle {
    public let kind: DatabaseKind = .sqlite
    private let generation = WriteGeneration()
    public var writeGeneration: UInt64 { generation.current }
    public let memo = HandleMemo()
    public let path: String
    private let writer: ConnectionLeases<SQLiteConnection>
    private let readers: ConnectionLeases<SQLiteConnection>
    private let groupCommit: GroupCommit

    /// Writer connections run on threads of their own, shared by every store: a write (and the
    /// WAL sync that ends it) never queues behind reads on the general pool, and reads never wait
    /// for a sync. Writes hold a store's only writer, so the time each statement waits for a
    /// thread is what bounds a store's checkouts per second. Four threads on two cores: a WAL
    /// sync is a wait for the disk, not work, and syncs of different stores overlap (ext4 commits
    /// them together). Measured: a burst of 100 signups, whose owners' writes go to 100 stores,
    /// p95 38-51 ms with two threads, 28-31 ms with four; one store's checkouts unchanged.
    public static let writerThreads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 4)
        pool.start()
        return pool
    }()

    /// The platform database's writer runs on a thread of its own: every signup and lifecycle
    /// change goes through that one connection, so its statements must not queue behind stores'
    /// writes (and their WAL syncs) on `writerThreads`. Measured in a burst of 100 signups.
    public static let platformWriterThread: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    /// Durability: `FULL` syncs the WAL on every commit, so a committed order survives a power cut.
    public static let synchronousMode = "FULL"

    private init(path: String, writer: SQLiteConnection, readers: ConnectionLeases<SQLiteConnection>) {
        self.path = path
        let writerLeases = ConnectionLeases([writer])
        self.writer = writerLeases
        self.readers = readers
        self.groupCommit = GroupCommit(writer: writerLeases)
    }

    /// Opens (creating when missing) the database at `path`.
    public static func open(
        path: String,
        readerCount: Int = 2,
        threadPool: NIOThreadPool = .singleton,
        writerThreadPool: NIOThreadPool = SQLiteDatabaseHandle.writerThreads,
        logger: Logger = Logger(label: "leopard.sqlite")
    ) async throws -> SQLiteDatabaseHandle {
        let writer = try await openConnection(path: path, threadPool: writerThreadPool, logger: logger)
        do {
            try await writer.sql(queryLogLevel: nil).raw("PRAGMA journal_mode=WAL").run()
            try await configure(writer)
        } catch {
            await closeEvenIfCancelled(writer)
            throw error
        }
        let readers = ConnectionLeases<SQLiteConnection>(maximum: readerCount) {
            let reader = try await openConnection(path: path, threadPool: threadPool, logger: logger)
            do {
                try await configure(reader)
                return reader
            } catch {
                await closeEvenIfCancelled(reader)
                throw error
            }
        }
        return SQLiteDatabaseHandle(path: path, writer: writer, readers: readers)
    }

    /// Closes a connection whose set-up failed. A cancelled task's set-up fails with the
    /// cancellation, and its close must still happen (sqlite-nio traps on a connection released
    /// open), so it runs in a task of its own, which no cancellation reaches.
    static func closeEvenIfCancelled(_ connection: SQLiteConnection) async {
        await Task { try? await connection.close() }.value
    }

    private static func openConnection(path: String, threadPool: NIOThreadPool, logger: Logger) async throws -> SQLiteConnection {
        try await SQLiteConnection.open(
            storage: .file(path: path),
            threadPool: threadPool,
            logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any()
        )
    }

    private static func configure(_ connection: SQLiteConnection) async throws {
        let sql = connection.sql(queryLogLevel: nil)
        // busy_timeout replaces sqlite-nio's spinning busy handler with SQLite's sleeping one; it
        // only matters when another process (say `leopard migrate`) holds the write lock.
        try await sql.raw("PRAGMA busy_timeout = 5000").run()
        try await sql.raw("PRAGMA foreign_keys = ON").run()
        try await sql.raw(SQLQueryString("PRAGMA synchronous = \(unsafeRaw: synchronousMode)")).run()
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        // A store opened for one quick read (most requests when far more stores exist than may
        // be open) reads on its idle writer rather than opening a reader: one file open and one
        // schema parse fewer. Once readers exist, or the writer is busy, reads go to readers.
        if await readers.noneOpened, let connection = await writer.tryAcquire() {
            return try await use(connection, from: writer, body)
        }
        return try await use(try await readers.acquire(), from: readers, body)
    }

    /// Runs `body` on a leased connection and gives it back, whatever happens.
    private func use<T: Sendable>(
        _ connection: SQLiteConnection, from leases: ConnectionLeases<SQLiteConnection>,
        _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        do {
            let result = try await body(connection.sql(queryLogLevel: nil))
            await giveBack(connection, to: leases)
            return result
        } catch {
            await giveBack(connection, to: leases)
            throw error
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        defer { generation.advance() }
        let value = try await groupCommit.submit { sql in try await body(sql) }
        guard let result = value as? T else { throw DatabaseClosedError() }
        return result
    }

    public func writeStatement<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await write(body)
    }

    /// Starts the write-ahead log with a write that changes nothing (`user_version` set to
    /// itself). The first commit to a new WAL syncs three times (its header, the directory that
    /// now holds it, the commit); later commits sync once. A spare store pays the three now, and
    /// its owner's signup one.
    public func prepareForWrites() async throws {
        _ = try await write { sql in
            let version = try await sql.raw("PRAGMA user_version").first()?.decode(column: "user_version", as: Int.self) ?? 0
            try await sql.raw(SQLQueryString("PRAGMA user_version = \(unsafeRaw: String(version))")).run()
            return true
        }
    }

    private func giveBack(_ connection: SQLiteConnection, to leases: ConnectionLeases<SQLiteConnection>) async {
        if await !leases.release(connection) {
            await Self.closeEvenIfCancelled(connection)
        }
    }

    public func close() async {
        for connection in await readers.drain() { await Self.closeEvenIfCancelled(connection) }
        for connection in await writer.drain() { await Self.closeEvenIfCancelled(connection) }
    }
}
