import PostgresNIO
import SQLiteNIO

/// Classifies driver errors without leaking driver types to callers.
public enum DatabaseErrors {
    /// Whether `error` is a unique-constraint violation (SQLite `SQLITE_CONSTRAINT_UNIQUE`,
    /// PostgreSQL SQLSTATE 23505).
    public static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? SQLiteError {
            switch error.reason {
            case .constraintUniqueFailed, .constraintPrimaryKeyFailed: return true
            case .constraint: return error.message.contains("UNIQUE")
            default: return false
            }
        }
        if let error = error as? PSQLError {
            return error.serverInfo?[.sqlState] == "23505"
        }
        return false
    }

    /// Whether `error` is SQLite saying another process holds the database (`SQLITE_BUSY`, its
    /// variants, `SQLITE_LOCKED`): worth trying again shortly.
    public static func isBusy(_ error: any Error) -> Bool {
        guard let error = error as? SQLiteError else { return false }
        switch error.reason {
        case .busy, .busyInRecovery, .busyInSnapshot, .busyTimeout, .locked: return true
        default: return false
        }
    }

    /// Whether `error` says the database server cannot be reached (down, restarting, refusing
    /// connections) rather than that a statement was wrong: worth a 503 and a retry.
    public static func isUnavailable(_ error: any Error) -> Bool {
        if error is DatabaseUnavailable || error is DatabaseConnectionLost { return true }
        if let error = error as? PSQLError {
            switch error.code {
            // `clientClosedConnection`: the statement reached a connection already closing (the
            // server had just ended the session; seen once in CI in the ended-session test).
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed: return true
            default: return error.serverInfo?[.sqlState].map { $0.hasPrefix("08") || $0 == "57P01" || $0 == "57P03" } ?? false
            }
        }
        // The pool's own error type is not public API; its name is stable.
        let name = String(reflecting: type(of: error))
        return name.hasSuffix("ConnectionPoolError") || name.hasSuffix("NIOConnectionError") || name.hasSuffix("ChannelError")
    }

    /// Whether `error` is the database refusing a write because writes are paused (PostgreSQL's
    /// `read_only_sql_transaction`, 25006: a store being moved).
    public static func isReadOnly(_ error: any Error) -> Bool {
        sqlState(error) == "25006"
    }

    /// The SQLSTATE of a PostgreSQL error, if it is one.
    public static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// A one-line description that is safe to log and store: the server's message, never the
    /// statement or its bound values.
    public static func summary(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return "PostgreSQL: " + message + (error.serverInfo?[.sqlState].map { " (\($0))" } ?? "")
            }
            // No server message: a connection that failed (refused, timed out, TLS); the
            // underlying error says which.
            return "PostgreSQL: \(error.code)" + (error.underlying.map { " (\(String(describing: $0).prefix(300)))" } ?? "")
        }
        if let error = error as? SQLiteError {
            return "SQLite: \(error.message)"
        }
        return String(describing: error)
    }
}

/// No connection to the database could be had in time (its server is down or overloaded).
public struct DatabaseUnavailable: Error, CustomStringConvertible {
    public let waited: Duration
    public var description: String { "no database connection within \(waited)" }
}
