import Foundation
import LeopardCommerce
import LeopardCore
import NIOCore
import NIOPosix

/// Uploaded files, one folder per store: `<data>/media/<tenant id>/<image id>.<ext>`. Paths are
/// built only from a validated tenant id and a validated file name, never from client text.
public struct MediaStorage: Sendable {
    let root: URL

    struct InvalidName: Error {}

    /// `img_<ulid>.<jpg|png|webp|gif>`, or nil.
    public static func format(ofFileName name: String) -> ImageFormat? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, Identifier.isWellFormed(String(parts[0]), prefix: "img") else { return nil }
        return ImageFormat(fileExtension: String(parts[1]))
    }

    func folder(tenantID: String) throws -> URL {
        guard Identifier.isWellFormed(tenantID, prefix: "ten") else { throw InvalidName() }
        return root.appendingPathComponent(tenantID, isDirectory: true)
    }

    public func path(tenantID: String, fileName: String) throws -> String {
        guard Self.format(ofFileName: fileName) != nil else { throw InvalidName() }
        return try folder(tenantID: tenantID).appendingPathComponent(fileName).path
    }

    /// Writes the file atomically (a temporary name, then a rename) off the event loops.
    func write(_ buffer: ByteBuffer, tenantID: String, fileName: String) async throws {
        let folder = try folder(tenantID: tenantID)
        let path = try path(tenantID: tenantID, fileName: fileName)
        let data = Data(buffer: buffer)
        try await NIOThreadPool.singleton.runIfActive {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        }
    }

    func remove(tenantID: String, fileName: String) async {
        guard let path = try? path(tenantID: tenantID, fileName: fileName) else { return }
        _ = try? await NIOThreadPool.singleton.runIfActive { try FileManager.default.removeItem(atPath: path) }
    }
}

extension MediaStorage {
    /// Bytes of the store's uploaded files.
    public func bytes(tenantID: String) -> Int {
        guard let folder = try? folder(tenantID: tenantID),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else { return 0 }
        return names.reduce(0) { total, name in
            let size = (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size] as? Int) ?? 0
            return total + (size ?? 0)
        }
    }
}
