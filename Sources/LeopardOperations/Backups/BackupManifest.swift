import Foundation
import LeopardCore
import LeopardPlatform
import LeopardStorage

/// `manifest.json`, the first entry of a backup: which store it is (its platform record), on
/// which storage, and the size and SHA-256 of every other entry.
public struct BackupManifest: Codable, Sendable, Equatable {
    static let formatName = "leopard-backup"
    static let currentVersion = 1

    public struct Store: Codable, Sendable, Equatable {
        public var id: String
        public var slug: String
        public var storeName: String
        public var ownerEmail: String
        var status: String
        public var createdAt: String
    }

    struct Entry: Codable, Sendable, Equatable {
        public var name: String
        public var bytes: Int
        var sha256: String
    }

    public var format: String = Self.formatName
    var version: Int = Self.currentVersion
    public var createdAt: String
    public var storage: DatabaseKind
    /// The store schema's fingerprint when the backup was made.
    var schema: String
    public var store: Store
    /// The database dump first, then the store's uploaded files (`media/…`).
    var entries: [Entry]

    static let fileName = "manifest.json"

    public var json: Data {
        get throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return try encoder.encode(self)
        }
    }
}

extension BackupManifest.Store {
    init(_ tenant: Tenant) {
        self.init(
            id: tenant.id, slug: tenant.slug, storeName: tenant.storeName, ownerEmail: tenant.ownerEmail,
            status: tenant.status.rawValue, createdAt: Timestamp.string(tenant.createdAt))
    }
}
