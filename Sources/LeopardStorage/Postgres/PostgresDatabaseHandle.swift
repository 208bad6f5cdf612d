import Logging
import PostgresKit
import PostgresNIO
import SQLKit

/// A pooled PostgreSQL database (PostgresNIO's `PostgresClient`), run in a task of its own that
/// `close()` cancels.
public final class PostgresDatabaseHandle: DatabaseHandle {
    public let kind: DatabaseKind = .postgres
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    /// Statements run at the start of every lease (the template build uses `SET ROLE`).
    private let sessionSetup: [String]

    public init(configuration: PostgresClient.Configuration, sessionSetup: [String] = [], logger: Logger = Logger(label: "leopard.postgres")) {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.sessionSetup = sessionSetup
        self.runTask = Task { await client.run() }
    }

    /// Opens a handle and proves that the server accepts it, so a wrong password or a missing
    /// database fails here rather than on the first request.
    public static func connect(configuration: PostgresClient.Configuration, sessionSetup: [String] = [], logger: Logger = Logger(label: "leopard.postgres")) async throws -> PostgresDatabaseHandle {
        let handle = PostgresDatabaseHandle(configuration: configuration, sessionSetup: sessionSetup, logger: logger)
        do {
            try await handle.read { try await $0.raw("SELECT 1").run() }
            return handle
        } catch {
            await handle.close()
            throw error
        }
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            let sql: any SQLDatabase = connection.sql(queryLogLevel: nil)
            for statement in sessionSetup { try await sql.raw(SQLQueryString(statement)).run() }
            return try await body(sql)
        }
    }

    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            let sql: any SQLDatabase = connection.sql(queryLogLevel: nil)
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

    public func close() async {
        runTask.cancel()
        await runTask.value
    }
}
