import Foundation
import Logging
import SQLKit

extension SQLiteTenantProvider: TenantDatabaseDumps {
    public var dumpFileName: String { "database.sqlite" }

    public func dump(_ location: TenantDatabaseLocation, to path: String) async throws {
        let source = try self.path(for: location)
        guard FileManager.default.fileExists(atPath: source) else { throw TenantDatabaseMissing(name: location.name) }
        // A connection of its own: VACUUM INTO reads one snapshot while the store keeps writing.
        let handle = try await SQLiteDatabaseHandle.open(path: source, readerCount: 1, logger: logger)
        do {
            try await handle.read { sql in try await sql.raw("VACUUM INTO \(bind: path)").run() }
        } catch {
            await handle.close()
            unlink(path)
            throw error
        }
        await handle.close()
    }

    public func load(_ dump: String, into location: TenantDatabaseLocation) async throws {
        let target = try path(for: location)
        // copyItem refuses to overwrite: a restore can never land on an existing store's file.
        try FileManager.default.copyItem(atPath: dump, toPath: target)
        do {
            _ = try await Self.checked(path: target, logger: logger)
        } catch {
            for suffix in ["", "-wal", "-shm"] { unlink(target + suffix) }
            throw error
        }
    }

    public func check(_ dump: String) async throws -> [String: Int] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("leopard-verify-\(UUID().uuidString).sqlite").path
        try FileManager.default.copyItem(atPath: dump, toPath: scratch)
        defer { for suffix in ["", "-wal", "-shm"] { unlink(scratch + suffix) } }
        return try await Self.checked(path: scratch, logger: logger)
    }

    /// Opens the file, runs SQLite's integrity and foreign key checks and counts the rows.
    static func checked(path: String, logger: Logger) async throws -> [String: Int] {
        let handle: SQLiteDatabaseHandle
        do {
            handle = try await SQLiteDatabaseHandle.open(path: path, readerCount: 1, logger: logger)
        } catch {
            throw DumpUnusable("SQLite cannot open it (\(DatabaseErrors.summary(error)))")
        }
        do {
            let (integrity, foreignKeys) = try await handle.read { sql in
                let integrity = try await sql.raw("PRAGMA integrity_check").all().map { try $0.decode(column: "integrity_check", as: String.self) }
                let foreignKeys = try await sql.raw("PRAGMA foreign_key_check").all().count
                return (integrity, foreignKeys)
            }
            guard integrity == ["ok"] else { throw DumpUnusable("SQLite's integrity check says: \(integrity.prefix(3).joined(separator: "; "))") }
            guard foreignKeys == 0 else { throw DumpUnusable("\(foreignKeys) rows point at rows that are missing") }
            let counts = try await StoreExport(database: handle).counts()
            guard counts["leopard_migrations"].map({ $0 > 0 }) ?? false else {
                throw DumpUnusable("it is not a Leopard store database (no migrations recorded)")
            }
            await handle.close()
            return counts
        } catch let error as DumpUnusable {
            await handle.close()
            throw error
        } catch {
            await handle.close()
            throw DumpUnusable(DatabaseErrors.summary(error))
        }
    }
}
