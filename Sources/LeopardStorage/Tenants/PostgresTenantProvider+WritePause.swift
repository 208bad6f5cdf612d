import Logging
import SQLKit

extension PostgresTenantProvider: TenantDatabaseWritePause {
    public func pauseWrites(_ location: TenantDatabaseLocation) async throws -> WritePauseHold {
        let login = try storeLogin(location)
        let name = try SafeIdentifier(login.database)
        // Applies to every session that starts from now on (ALTER DATABASE commits at once).
        try await platform.read { sql in
            try await sql.raw("ALTER DATABASE \(unsafeRaw: name.quoted) SET default_transaction_read_only = on").run()
        }
        do {
            try await endSessions(database: login.database, role: login.role, except: nil)
            return try await holdTableLocks(login)
        } catch {
            try? await resumeWrites(location)
            throw error
        }
    }

    public func resumeWrites(_ location: TenantDatabaseLocation) async throws {
        let login = try storeLogin(location)
        let name = try SafeIdentifier(login.database)
        try await platform.read { sql in
            try await sql.raw("ALTER DATABASE \(unsafeRaw: name.quoted) RESET default_transaction_read_only").run()
        }
        // Sessions opened during the pause stay read-only until they end.
        try await endSessions(database: login.database, role: login.role, except: nil)
    }

    public func isPaused(_ location: TenantDatabaseLocation) async throws -> Bool {
        try await platform.read { sql in
            try await sql.raw(
                """
                SELECT 1 AS paused FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
                WHERE d.datname = \(bind: location.name) AND s.setrole = 0 AND 'default_transaction_read_only=on' = ANY (s.setconfig)
                """
            ).first() != nil
        }
    }

    /// Ends the store role's client sessions on its database (not autovacuum's, not the
    /// platform's), each waited for up to 5 seconds. A session that does not end in time is
    /// left to the table locks, which wait for it.
    func endSessions(database: String, role: String, except pid: Int?) async throws {
        try await platform.read { sql in try await Self.endSessions(on: sql, database: database, role: role, except: pid) }
    }

    /// Ends the client sessions on `database` (of `role` only, if given), except this one and
    /// `pid`, and waits up to 5 seconds for each to be gone.
    static func endSessions(on sql: any SQLDatabase, database: String, role: String?, except pid: Int? = nil) async throws {
        // The sessions are chosen first, behind a materialized CTE: in one WHERE clause the
        // planner may call pg_terminate_backend before it has checked the other conditions,
        // and end every session on the server.
        try await sql.raw(
            """
            WITH sessions AS MATERIALIZED (
                SELECT pid FROM pg_stat_activity
                WHERE datname = \(bind: database) AND usename = COALESCE(\(bind: role), usename) AND backend_type = 'client backend'
                AND pid <> pg_backend_pid() AND pid <> \(bind: pid ?? 0)
            )
            SELECT COUNT(*) AS n FROM sessions WHERE pg_terminate_backend(pid, 5000)
            """
        ).run()
    }

    /// A session of its own, as the store's role (which owns every table), holding SHARE locks
    /// on all of them in an open transaction: reads and `pg_dump` go on, writes wait.
    private func holdTableLocks(_ login: (database: String, role: String, password: String)) async throws -> WritePauseHold {
        let session = try await PostgresDatabaseHandle.connect(
            server: server, database: login.database, username: login.role, password: login.password,
            maximumConnections: 1, logger: logger)
        let (locked, lockedResult) = AsyncStream<Result<Int, any Error>>.makeStream()
        let (released, release) = AsyncStream<Void>.makeStream()
        let holder = Task {
            do {
                try await session.write { sql in
                    let tables = try await sql.raw("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").all()
                        .map { try SafeIdentifier(try $0.decode(column: "tablename", as: String.self)).quoted }
                    try await sql.raw("SET LOCAL lock_timeout = '10s'").run()
                    if !tables.isEmpty {
                        try await sql.raw("LOCK TABLE \(unsafeRaw: tables.joined(separator: ", ")) IN SHARE MODE").run()
                    }
                    let pid = try await sql.raw("SELECT pg_backend_pid() AS pid").first()?.decode(column: "pid", as: Int.self) ?? 0
                    lockedResult.yield(.success(pid))
                    for await _ in released { break }
                }
            } catch {
                lockedResult.yield(.failure(error))
            }
        }
        var outcome: Result<Int, any Error> = .failure(CancellationError())
        for await result in locked {
            outcome = result
            break
        }
        let pid: Int
        do {
            pid = try outcome.get()
        } catch {
            release.yield()
            _ = await holder.result
            await session.close()
            throw error
        }
        let database = login.database
        let role = login.role
        return WritePauseHold { endingWriters in
            if endingWriters {
                do {
                    try await self.endSessions(database: database, role: role, except: pid)
                } catch {
                    self.logger.warning(
                        "could not end the sessions on a database the store moved away from",
                        metadata: ["database": .string(database), "error": .string(DatabaseErrors.summary(error))])
                }
            }
            release.yield()
            _ = await holder.result
            await session.close()
        }
    }
}
