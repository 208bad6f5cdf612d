import Foundation
import LeopardStorage

/// `leopard backup verify FILE`: unpacks the file, checks every entry against the manifest's
/// checksums, loads the database into a scratch database, runs the storage's integrity checks
/// and counts the rows. Nothing of the platform changes.
public struct BackupVerifier: Sendable {
    let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }

    public struct Report: Sendable, Equatable {
        public var manifest: BackupManifest
        /// Rows per table of the store's database.
        public var rows: [String: Int]
        public var images: Int
    }

    public func verify(_ file: String) async throws -> Report {
        let backup = try UnpackedBackup.open(file)
        defer { backup.remove() }
        guard backup.manifest.storage == services.configuration.storage else {
            throw StoreRestore.Refused(
                "the backup was made on \(backup.manifest.storage.rawValue): verify it with a platform on \(backup.manifest.storage.rawValue)")
        }
        let rows = try await StoreBackups(services: services).dumps.check(backup.dumpPath)
        return Report(manifest: backup.manifest, rows: rows, images: backup.mediaFiles.count)
    }
}
