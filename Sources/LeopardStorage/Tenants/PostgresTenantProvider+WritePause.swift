import SQLKit

extension PostgresTenantProvider: TenantDatabaseWritePause {
    public func pauseWrites(_ location: TenantDatabaseLocation) async throws {
        let name = try SafeIdentifier(location.name)
        try await platform.read { sql in
            // Applies to every session that starts from now on (ALTER DATABASE commits at once).
            try await sql.raw("ALTER DATABASE \(unsafeRaw: name.quoted) SET default_transaction_read_only = on").run()
            // Sessions from before may be writing: end them and wait until each is gone, so that
            // no write can commit after the copy's snapshot. Their transactions roll back and
            // their callers see a lost connection (503, try again).
            do {
                // The sessions are chosen first, behind a materialized CTE: in one WHERE clause the
                // planner may call pg_terminate_backend before it has checked the database name,
                // and end every session on the server.
                let stuck = try await sql.raw("""
                    WITH sessions AS MATERIALIZED (
                        SELECT pid FROM pg_stat_activity WHERE datname = \(bind: name.value) AND pid <> pg_backend_pid()
                    )
                    SELECT COUNT(*) AS n FROM sessions WHERE NOT pg_terminate_backend(pid, 5000)
                    """).first()?.decode(column: "n", as: Int.self) ?? 0
                if stuck > 0 { throw SessionsStillOpen(database: name.value, count: stuck) }
            } catch {
                try? await sql.raw("ALTER DATABASE \(unsafeRaw: name.quoted) RESET default_transaction_read_only").run()
                throw error
            }
        }
    }

    public func resumeWrites(_ location: TenantDatabaseLocation) async throws {
        let name = try SafeIdentifier(location.name)
        try await platform.read { sql in
            try await sql.raw("ALTER DATABASE \(unsafeRaw: name.quoted) RESET default_transaction_read_only").run()
        }
    }
}
