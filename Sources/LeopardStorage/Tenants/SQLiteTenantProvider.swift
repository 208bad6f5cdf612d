import Foundation
import Logging

/// Store databases as SQLite files: `DATA_DIR/tenants/<tenantID>.sqlite`, copied from a migrated
/// template file so that signup never runs migrations.
public struct SQLiteTenantProvider: TenantDatabaseProvider {
    public let kind: DatabaseKind = .sqlite
    public let directory: URL
    public let readerCount: Int
    let logger: Logger

    public init(directory: URL, readerCount: Int = 2, logger: Logger = Logger(label: "leopard.tenants")) {
        self.directory = directory
        self.readerCount = readerCount
        self.logger = logger
    }

    /// The file of a store. Names come from the registry and are checked all the same: only
    /// `<safe identifier>.sqlite` directly inside the stores folder, never a path.
    public func path(for location: TenantDatabaseLocation) throws -> String {
        let name = location.name
        guard name.hasSuffix(".sqlite"), (try? SafeIdentifier(String(name.dropLast(".sqlite".count)))) != nil else {
            throw TenantDatabaseMissing(name: name)
        }
        return directory.appendingPathComponent(name).path
    }

    func templatePath(_ migrator: Migrator) -> String {
        directory.appendingPathComponent(".template-\(migrator.fingerprint).sqlite").path
    }

    public func prepareTemplate(_ migrator: Migrator) async throws {
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        let target = templatePath(migrator)
        guard !manager.fileExists(atPath: target) else { return }
        // Build under a private name and rename: another process may be doing the same.
        let building = target + ".building-\(UUID().uuidString)"
        let handle = try await SQLiteDatabaseHandle.open(path: building, readerCount: 1, logger: logger)
        do {
            // Closing the last connection checkpoints the WAL into the file.
            try await migrator.migrate(handle)
        } catch {
            await handle.close()
            removeFiles(building)
            throw error
        }
        await handle.close()
        removeFiles(building, keepDatabase: true)
        if rename(building, target) != 0 {
            removeFiles(building)
            guard manager.fileExists(atPath: target) else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target]) }
        }
    }

    public func plan(tenantID: String) throws -> TenantDatabaseLocation {
        TenantDatabaseLocation(kind: .sqlite, name: try SafeIdentifier(tenantID).value + ".sqlite")
    }

    public func create(_ location: TenantDatabaseLocation, migrator: Migrator) async throws {
        let template = templatePath(migrator)
        if !FileManager.default.fileExists(atPath: template) {
            try await prepareTemplate(migrator)
        }
        // copyItem refuses to overwrite: a second store can never take over an existing file.
        let target = try path(for: location)
        do {
            try FileManager.default.copyItem(atPath: template, toPath: target)
        } catch let error as CocoaError where error.code == .fileWriteFileExists {
            throw error  // not ours to remove
        } catch {
            removeFiles(target)  // a partial copy (disk full, say)
            throw error
        }
    }

    public func open(_ location: TenantDatabaseLocation) async throws -> any DatabaseHandle {
        let path = try path(for: location)
        // Opening would create a missing file: a store whose file is gone must fail instead.
        guard FileManager.default.fileExists(atPath: path) else {
            throw TenantDatabaseMissing(name: location.name)
        }
        return try await SQLiteDatabaseHandle.open(path: path, readerCount: readerCount, logger: logger)
    }

    public func drop(_ location: TenantDatabaseLocation) async throws {
        removeFiles(try path(for: location))
    }

    public func exists(_ location: TenantDatabaseLocation) async throws -> Bool {
        FileManager.default.fileExists(atPath: try path(for: location))
    }

    private func removeFiles(_ path: String, keepDatabase: Bool = false) {
        let suffixes = keepDatabase ? ["-wal", "-shm"] : ["", "-wal", "-shm"]
        for suffix in suffixes { unlink(path + suffix) }
    }
}

/// A store whose database is not where the registry says.
public struct TenantDatabaseMissing: Error, CustomStringConvertible {
    public let name: String
    public init(name: String) { self.name = name }
    public var description: String { "the store database \(name) does not exist" }
}
