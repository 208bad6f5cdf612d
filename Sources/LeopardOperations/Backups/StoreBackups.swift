import Foundation
import LeopardCore
import LeopardPlatform
import LeopardStorage
import Logging

/// Makes backup files: one tar file per store holding `manifest.json` (the platform record,
/// sizes and checksums), the database dump and the store's uploaded images, written as
/// `DIR/<tenant id>/<UTC time>-<slug>.leopard.tar`.
public struct StoreBackups: Sendable {
    static let fileSuffix = ".leopard.tar"

    let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }

    public struct Made: Sendable, Equatable {
        public var tenantID: String
        public var slug: String
        public var path: String
        public var bytes: Int
    }

    struct Unsupported: Error, CustomStringConvertible {
        var description: String { "this storage cannot make database dumps" }
    }

    var dumps: any TenantDatabaseDumps {
        get throws {
            guard let dumps = services.databases.provider as? any TenantDatabaseDumps else { throw Unsupported() }
            return dumps
        }
    }

    public var media: MediaStorage {
        services.media
    }

    /// Backs up one store (of any status but `provisioning`) into `directory`.
    public func backup(_ tenant: Tenant, to directory: URL, now: Date = Date()) async throws -> Made {
        let dumps = try self.dumps
        let folder = directory.appendingPathComponent(try SafeIdentifier(tenant.id).value, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("leopard-backup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        let dumpPath = scratch + "/" + dumps.dumpFileName
        try await dumps.dump(tenant.database, to: dumpPath)
        var files = [(name: dumps.dumpFileName, path: dumpPath)]
        // Images are copied first, so that what is checksummed is what is archived even if the
        // store replaces one meanwhile; one removed meanwhile is left out.
        if let images = try? media.folder(tenantID: tenant.id),
            let names = try? FileManager.default.contentsOfDirectory(atPath: images.path)
        {
            try FileManager.default.createDirectory(atPath: scratch + "/media", withIntermediateDirectories: true)
            for name in names.sorted() where MediaStorage.format(ofFileName: name) != nil {
                let copy = scratch + "/media/" + name
                guard (try? FileManager.default.copyItem(atPath: images.appendingPathComponent(name).path, toPath: copy)) != nil else { continue }
                files.append((name: "media/" + name, path: copy))
            }
        }
        var entries: [BackupManifest.Entry] = []
        for file in files {
            let (bytes, digest) = try UnpackedBackup.digest(file.path)
            entries.append(.init(name: file.name, bytes: bytes, sha256: digest))
        }
        let archived = files
        let manifest = BackupManifest(
            createdAt: Timestamp.string(now), storage: tenant.database.kind, schema: services.storeMigrator.fingerprint,
            store: .init(tenant), entries: entries)
        let manifestPath = scratch + "/" + BackupManifest.fileName
        try manifest.json.write(to: URL(fileURLWithPath: manifestPath))

        let target = folder.appendingPathComponent(Self.fileName(slug: tenant.slug, at: now)).path
        let partial = target + ".partial"
        do {
            try TarArchive.write([(BackupManifest.fileName, manifestPath)] + archived, to: partial, modified: now)
            guard rename(partial, target) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target]) }
        } catch {
            unlink(partial)
            throw error
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? NSNumber)?.intValue ?? 0
        services.logger.info("store backed up", metadata: ["tenant": .string(tenant.id), "file": .string(target), "bytes": .stringConvertible(bytes)])
        return Made(tenantID: tenant.id, slug: tenant.slug, path: target, bytes: bytes)
    }

    /// Backs up every store that is active, suspended or soft-deleted. A store that fails is
    /// reported and the others go on.
    public func backupAll(to directory: URL, now: Date = Date()) async throws -> (made: [Made], failed: [(tenantID: String, error: String)]) {
        var made: [Made] = []
        var failed: [(String, String)] = []
        for tenant in try await services.registry.all() where tenant.status != .provisioning {
            do {
                made.append(try await backup(tenant, to: directory, now: now))
                services.metrics.backup(succeeded: true)
            } catch {
                services.metrics.backup(succeeded: false)
                services.logger.error("store backup failed", metadata: ["tenant": .string(tenant.id), "error": .string(DatabaseErrors.summary(error))])
                failed.append((tenant.id, DatabaseErrors.summary(error)))
            }
        }
        return (made, failed)
    }

    /// Deletes all but the newest `keep` backups of each store in `directory` (of one store, when
    /// given); returns the paths deleted.
    @discardableResult
    public static func prune(_ directory: URL, keep: Int, tenantID: String? = nil) -> [String] {
        let manager = FileManager.default
        var removed: [String] = []
        guard keep > 0, let folders = try? manager.contentsOfDirectory(atPath: directory.path) else { return removed }
        for folder in folders where Identifier.isWellFormed(folder, prefix: "ten") && (tenantID == nil || folder == tenantID) {
            let path = directory.appendingPathComponent(folder).path
            let files = ((try? manager.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(fileSuffix) }.sorted()
            for name in files.dropLast(keep) {
                let file = path + "/" + name
                if (try? manager.removeItem(atPath: file)) != nil { removed.append(file) }
            }
        }
        return removed
    }

    /// `20261123T101500.123Z-acme-tools.leopard.tar`: names sort by time.
    static func fileName(slug: String, at date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime, .withFractionalSeconds, .withTimeZone]
        return formatter.string(from: date) + "-" + slug + fileSuffix
    }
}
