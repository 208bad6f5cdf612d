import Foundation
import LeopardStorage
import SQLKit
import Testing

@Suite("SQLite database handle")
struct SQLiteHandleTests {
    @Test("a read in a cancelled task (a service stopping) that opens a reader leaves no connection unclosed, and the handle still works")
    func cancelledFirstRead() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Cancelled at a different moment each round: before the reader opens, while it is set
        // up, during the query.
        for round in 0..<60 {
            let handle = try await SQLiteDatabaseHandle.open(path: directory.path("c\(round).sqlite"))
            let task = Task {
                try await handle.read { try await $0.raw("SELECT 1 AS one").first()?.decode(column: "one", as: Int.self) }
            }
            for _ in 0..<(round % 30) { await Task.yield() }
            task.cancel()
            _ = try? await task.value
            #expect(try await handle.read { try await $0.raw("SELECT 2 AS two").first()?.decode(column: "two", as: Int.self) } == 2)
            await handle.close()
        }
    }

    @Test("a write commits and a failed write rolls back")
    func writesAreTransactions() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let handle = try await SQLiteDatabaseHandle.open(path: directory.path("t.sqlite"))
        try await handle.write { try await $0.raw("CREATE TABLE t (v INTEGER NOT NULL)").run() }
        try await handle.write { try await $0.raw("INSERT INTO t (v) VALUES (1)").run() }
        await #expect(throws: (any Error).self) {
            try await handle.write { sql in
                try await sql.raw("INSERT INTO t (v) VALUES (2)").run()
                try await sql.raw("INSERT INTO t (v) VALUES (NULL)").run()
            }
        }
        let values = try await handle.read { sql in
            try await sql.raw("SELECT v FROM t ORDER BY v").all().map { try $0.decode(column: "v", as: Int.self) }
        }
        #expect(values == [1])
        await handle.close()
    }

    @Test("migrations apply once, in order, and are recorded")
    func migrator() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let handle = try await SQLiteDatabaseHandle.open(path: directory.path("m.sqlite"))
        let first = Migrator([Migration("0001_a", ["CREATE TABLE a (id INTEGER)"])])
        #expect(try await first.migrate(handle) == ["0001_a"])
        #expect(try await first.migrate(handle) == [])
        let second = Migrator(first.migrations + [Migration("0002_b", ["CREATE TABLE b (id INTEGER)"])])
        #expect(try await second.migrate(handle) == ["0002_b"])
        #expect(try await second.applied(on: handle) == ["0001_a", "0002_b"])
        await handle.close()
    }

    @Test("a failing migration leaves nothing of itself")
    func failingMigration() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let handle = try await SQLiteDatabaseHandle.open(path: directory.path("f.sqlite"))
        let broken = Migrator([Migration("0001_broken", ["CREATE TABLE x (id INTEGER)", "THIS IS NOT SQL"])])
        await #expect(throws: (any Error).self) { try await broken.migrate(handle) }
        #expect(try await broken.applied(on: handle).isEmpty)
        let tables = try await handle.read { sql in
            try await sql.raw("SELECT name FROM sqlite_master WHERE name = 'x'").all()
        }
        #expect(tables.isEmpty)
        await handle.close()
    }

    @Test("concurrent single-statement writes share commits; a failing one affects no other")
    func groupCommit() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let handle = try await SQLiteDatabaseHandle.open(path: directory.path("g.sqlite"))
        try await handle.write { try await $0.raw("CREATE TABLE slugs (slug TEXT PRIMARY KEY)").run() }
        // 200 inserts at once, every tenth a duplicate of the one before it.
        let outcomes = await withTaskGroup(of: String.self) { group in
            for index in 0..<200 {
                let slug = index % 10 == 9 ? "s\(index - 1)" : "s\(index)"
                group.addTask {
                    do {
                        try await handle.writeStatement { try await $0.raw("INSERT INTO slugs (slug) VALUES (\(bind: slug))").run() }
                        return "inserted"
                    } catch {
                        return DatabaseErrors.isUniqueViolation(error) ? "duplicate" : "\(error)"
                    }
                }
            }
            var outcomes: [String] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.filter { $0 == "inserted" }.count == 180)
        #expect(outcomes.filter { $0 == "duplicate" }.count == 20)
        let count = try await handle.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM slugs").first()?.decode(column: "n", as: Int.self)
        }
        #expect(count == 180)
        // A statement's value comes back, optional or not.
        let missing: String? = try await handle.writeStatement { sql in
            try await sql.raw("UPDATE slugs SET slug = 'x' WHERE slug = 'nope' RETURNING slug").first()?.decode(column: "slug", as: String.self)
        }
        #expect(missing == nil)
        await handle.close()
    }

    @Test("transactions batched together: one that fails half-way leaves nothing, the others commit whole")
    func batchedTransactions() async throws {
        struct Refused: Error {}
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let handle = try await SQLiteDatabaseHandle.open(path: directory.path("t.sqlite"))
        try await handle.write { try await $0.raw("CREATE TABLE lines (txn INTEGER NOT NULL, part INTEGER NOT NULL)").run() }
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for txn in 0..<120 {
                group.addTask {
                    do {
                        try await handle.write { sql in
                            try await sql.raw("INSERT INTO lines (txn, part) VALUES (\(bind: txn), 1)").run()
                            if txn % 7 == 3 { throw Refused() }
                            try await sql.raw("INSERT INTO lines (txn, part) VALUES (\(bind: txn), 2)").run()
                        }
                        return true
                    } catch {
                        return false
                    }
                }
            }
            var outcomes: [Bool] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let refused = (0..<120).filter { $0 % 7 == 3 }
        #expect(outcomes.filter { !$0 }.count == refused.count)
        let rows = try await handle.read { sql in
            try await sql.raw("SELECT txn, COUNT(*) AS parts FROM lines GROUP BY txn").all().map {
                (try $0.decode(column: "txn", as: Int.self), try $0.decode(column: "parts", as: Int.self))
            }
        }
        #expect(rows.count == 120 - refused.count)
        #expect(rows.allSatisfy { $0.1 == 2 && $0.0 % 7 != 3 })
        await handle.close()
    }
}

@Suite("Secret sealing")
struct SecretBoxTests {
    @Test("sealed secrets open with the same key only; the key file is made 0600 and reused")
    func sealing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("secret.key")
        let box = try SecretBox.load(environmentValue: nil, keyFile: file)
        let sealed = try box.seal("hunter2-password")
        #expect(!sealed.contains("hunter2"))
        #expect(try SecretBox.load(environmentValue: nil, keyFile: file).open(sealed) == "hunter2-password")
        #expect(throws: SecretBox.OpenError.self) { try SecretBox.random().open(sealed) }
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("a damaged key file stops the start instead of being replaced")
    func damagedKeyFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("secret.key")
        try Data("".utf8).write(to: file)
        #expect(throws: SecretBox.KeyFileInvalid.self) { try SecretBox.load(environmentValue: nil, keyFile: file) }
        #expect(try Data(contentsOf: file).isEmpty)
    }
}
