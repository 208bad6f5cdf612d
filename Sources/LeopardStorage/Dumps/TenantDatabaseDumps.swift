/// Copies of a store's database as one file, and store databases made from such a file: what
/// backups, restores and `leopard backup verify` are built on.
public protocol TenantDatabaseDumps: Sendable {
    /// The dump's name inside a backup: `database.sqlite` or `database.pgdump`.
    var dumpFileName: String { get }

    /// Writes a consistent copy of the store's database to a new file at `path` while the store
    /// keeps answering (SQLite's `VACUUM INTO`; `pg_dump -Fc` as the store's own role).
    func dump(_ location: TenantDatabaseLocation, to path: String) async throws

    /// Creates the planned database (and role) from a dump and checks it. On failure nothing is
    /// left behind.
    func load(_ path: String, into location: TenantDatabaseLocation) async throws

    /// Loads a dump into a scratch database, checks it, and returns the rows per table. The
    /// scratch database is removed whatever happens.
    func check(_ path: String) async throws -> [String: Int]
}

/// A restore would land on a database (or role) that exists already: not ours to replace.
public struct TenantDatabaseExists: Error, CustomStringConvertible {
    public let name: String
    public init(name: String) { self.name = name }
    public var description: String { "a database or role named \(name) exists already; nothing was restored over it" }
}

/// A dump that does not hold a sound database.
public struct DumpUnusable: Error, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "the database in the backup is unusable: \(reason)" }
}
