import Crypto
import Foundation
import LeopardCommerce
import LeopardCore
import LeopardStorage

/// A backup file unpacked into a private scratch folder, with every entry checked against the
/// manifest's size and SHA-256. `remove()` deletes the folder.
struct UnpackedBackup {
    let folder: String
    public let manifest: BackupManifest

    /// The database dump.
    var dumpPath: String { folder + "/" + (manifest.entries.first?.name ?? "") }

    /// The store's uploaded files: name → path.
    var mediaFiles: [(name: String, path: String)] {
        manifest.entries.dropFirst().map { (String($0.name.dropFirst("media/".count)), folder + "/" + $0.name) }
    }

    static func open(_ file: String) throws -> UnpackedBackup {
        guard FileManager.default.fileExists(atPath: file) else {
            throw TarArchive.Damaged("there is no file at \(file)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("leopard-restore-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        do {
            let names = try TarArchive.extract(file, into: folder) { name in Self.allowedName(name) ? name : nil }
            guard names.first == BackupManifest.fileName else { throw TarArchive.Damaged("it does not start with \(BackupManifest.fileName)") }
            let manifest: BackupManifest
            do {
                manifest = try JSONDecoder().decode(BackupManifest.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/" + BackupManifest.fileName)))
            } catch {
                throw TarArchive.Damaged("its manifest is unreadable")
            }
            guard manifest.format == BackupManifest.formatName, manifest.version == BackupManifest.currentVersion else {
                throw TarArchive.Damaged(
                    "it is \(manifest.format) version \(manifest.version), this Leopard reads \(BackupManifest.formatName) version \(BackupManifest.currentVersion)"
                )
            }
            guard Identifier.isWellFormed(manifest.store.id, prefix: "ten"),
                let first = manifest.entries.first, first.name.hasPrefix("database."),
                manifest.entries.dropFirst().allSatisfy({ $0.name.hasPrefix("media/") }),
                Array(names.dropFirst()) == manifest.entries.map(\.name)
            else {
                throw TarArchive.Damaged("its files do not match its manifest")
            }
            for entry in manifest.entries {
                let path = folder + "/" + entry.name
                let (bytes, digest) = try Self.digest(path)
                guard bytes == entry.bytes, digest == entry.sha256 else {
                    throw TarArchive.Damaged("\(entry.name) does not match its checksum")
                }
            }
            return UnpackedBackup(folder: folder, manifest: manifest)
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// The manifest, the dump (`database.sqlite` or `database.pgdump`) and `media/<image file>`.
    static func allowedName(_ name: String) -> Bool {
        if name == BackupManifest.fileName || name == "database.sqlite" || name == "database.pgdump" { return true }
        guard name.hasPrefix("media/") else { return false }
        return MediaStorage.format(ofFileName: String(name.dropFirst("media/".count))) != nil
    }

    /// Size and hex SHA-256 of a file, read in chunks.
    static func digest(_ path: String) throws -> (Int, String) {
        guard let input = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        defer { try? input.close() }
        var hasher = SHA256()
        var bytes = 0
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += chunk.count
        }
        return (bytes, Hex.encode(hasher.finalize()))
    }
}
