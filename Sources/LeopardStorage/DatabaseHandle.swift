import SQLKit

/// Which engine a database runs on.
public enum DatabaseKind: String, Sendable, Codable, CaseIterable {
    case sqlite
    case postgres
}

/// An open database: the platform's, or one store's.
///
/// Reads run on a connection of their own; writes run in a transaction on the writer (SQLite:
/// `BEGIN IMMEDIATE` on the single writer connection; PostgreSQL: `BEGIN` on a pooled connection).
/// Do not nest `write` inside `write` on the same handle: on SQLite the inner call would wait for
/// the writer that the outer one holds.
public protocol DatabaseHandle: Sendable {
    var kind: DatabaseKind { get }

    /// Runs `body` with a connection that is not in a transaction.
    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// On SQLite, transactions that arrive together share one commit and one WAL sync (group
    /// commit); the caller resumes once its changes are durable. `body` may run more than once
    /// (a batch is retried with savepoints when one of its transactions fails), so it must do
    /// nothing outside the database.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs `body`, a single statement, durably: on SQLite statements that arrive together share
    /// one transaction and one sync (group commit, each in its own savepoint); on PostgreSQL it
    /// runs on its own. For the hot single-row writes of the platform registry.
    func writeStatement<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Changes after every write through this handle and differs between handles (see
    /// `WriteGeneration`); writes by other processes do not change it.
    var writeGeneration: UInt64 { get }

    /// Values read through this handle and reused while nothing is written (`memoized`).
    var memo: HandleMemo { get }

    /// Closes every connection. The handle is unusable afterwards.
    func close() async

    /// Gets ready for a first write that is expected soon (a spare database held open for the
    /// next signup), so that the write itself costs less. Changes no data.
    func prepareForWrites() async throws
}

extension DatabaseHandle {
    public func prepareForWrites() async throws {}
}

/// A handle that was used after `close()`.
public struct DatabaseClosedError: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "the database handle is closed" }
}

extension DatabaseHandle {
    /// ` FOR UPDATE` on PostgreSQL, where a transaction's reads of a row it will change must
    /// lock it; nothing on SQLite, whose single writer already serializes write transactions.
    public var rowLock: SQLQueryString { kind == .postgres ? " FOR UPDATE" : "" }
}
