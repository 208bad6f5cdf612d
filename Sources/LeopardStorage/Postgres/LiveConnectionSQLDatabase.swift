import Logging
import NIOCore
import PostgresNIO
import SQLKit

/// A connection's SQL interface that refuses to send a statement once the server has closed the
/// connection. PostgresNIO 1.33 writes a query to a closed channel without a promise, so the
/// query never completes and its caller waits forever (vapor/postgres-nio#487, reverted in
/// #501). A session the server ends while a transaction is open (`pg_terminate_backend`: a
/// store being moved, an operator, a failover) would otherwise leave its request hanging on the
/// COMMIT. This fails it at once instead, as a lost connection (503, try again).
struct LiveConnectionSQLDatabase: SQLDatabase {
    let connection: PostgresConnection
    let base: any SQLDatabase

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        guard !connection.isClosed else { return eventLoop.makeFailedFuture(DatabaseConnectionLost()) }
        return base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        guard !connection.isClosed else { throw DatabaseConnectionLost() }
        try await base.execute(sql: query, onRow)
    }
}

/// The server closed the connection (the session was ended, or the server went away).
public struct DatabaseConnectionLost: Error, CustomStringConvertible {
    public var description: String { "the database server closed the connection" }
}
