import Logging
import NIOCore
import PostgresNIO
import SQLKit
import Synchronization

/// A connection's SQL interface whose statements fail, instead of waiting forever, when the
/// server closes the connection. PostgresNIO 1.33 writes a query to a closed channel without a
/// promise, so a query sent just as (or after) the connection closed never completes
/// (vapor/postgres-nio#487, reverted in #501). A session the server ends while a transaction is
/// open (`pg_terminate_backend`: a store being moved, an operator, a failover) would otherwise
/// leave its request hanging on the COMMIT. Every statement here is also bound to the
/// connection's close: whichever comes first, the answer or the close, decides.
struct LiveConnectionSQLDatabase: SQLDatabase {
    let connection: PostgresConnection
    let base: any SQLDatabase

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        guard !connection.isClosed else { return eventLoop.makeFailedFuture(DatabaseConnectionLost()) }
        let promise = eventLoop.makePromise(of: Void.self)
        let ticket = ConnectionCloseWatch.shared.add(promise, until: connection)
        base.execute(sql: query, onRow).whenComplete { result in
            ConnectionCloseWatch.shared.remove(ticket)
            promise.completeWith(result)
        }
        return promise.futureResult
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await execute(sql: query, onRow).get()
    }
}

/// The statements in flight on each connection, failed when it closes. One close callback per
/// connection (not per statement, which would pile up on a long-lived connection).
final class ConnectionCloseWatch: Sendable {
    static let shared = ConnectionCloseWatch()

    struct Ticket: Sendable {
        let connection: ObjectIdentifier
        let id: UInt64
    }

    private struct State {
        var next: UInt64 = 0
        /// Per connection: its statements in flight.
        var pending: [ObjectIdentifier: [UInt64: EventLoopPromise<Void>]] = [:]
    }

    private let state = Mutex(State())

    func add(_ promise: EventLoopPromise<Void>, until connection: PostgresConnection) -> Ticket {
        let key = ObjectIdentifier(connection)
        let (ticket, firstSeen) = state.withLock { state -> (Ticket, Bool) in
            state.next &+= 1
            let firstSeen = state.pending[key] == nil
            state.pending[key, default: [:]][state.next] = promise
            return (Ticket(connection: key, id: state.next), firstSeen)
        }
        if firstSeen {
            // Runs at once if the connection has closed already. A statement added after that
            // run finds no entry and registers again, so none is missed.
            connection.closeFuture.whenComplete { _ in self.closed(key) }
        }
        return ticket
    }

    func remove(_ ticket: Ticket) {
        state.withLock { state in
            state.pending[ticket.connection]?[ticket.id] = nil
        }
    }

    /// Number of connections being watched (tests).
    var watchedConnections: Int { state.withLock { $0.pending.count } }

    private func closed(_ key: ObjectIdentifier) {
        let promises = state.withLock { state in state.pending.removeValue(forKey: key) ?? [:] }
        for promise in promises.values { promise.fail(DatabaseConnectionLost()) }
    }
}

/// The server closed the connection (the session was ended, or the server went away).
public struct DatabaseConnectionLost: Error, CustomStringConvertible {
    public var description: String { "the database server closed the connection" }
}
