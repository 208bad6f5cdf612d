import Foundation
import LeopardCore
import LeopardPlatform
import LeopardStorage
import Logging

/// Brings a store back from a backup file.
///
/// - Over the same store (`--tenant ID`): the store must be suspended or soft-deleted, so that no
///   running server writes to it meanwhile (suspending through the API also closes its database
///   in the server). The backup becomes a new database; only once it is loaded and checked does
///   the registry point at it, and then the old database is dropped. A damaged file changes
///   nothing. The store keeps its status; activate it when ready.
/// - A store that is no longer in the registry (purged, or another platform's) comes back with
///   its id and slug, active or suspended as it was when backed up.
/// - `--as NEW_SLUG`: a copy of the store with a new id and slug, beside the original. It starts
///   suspended: it carries the original's payment keys, sign-ins and webhook queue, so it should
///   not take orders or send webhooks until the operator means it to.
public struct StoreRestore: Sendable {
    let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }

    struct Refused: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    public enum Outcome: Sendable, Equatable {
        /// The store's database was replaced by the backup's.
        case replaced(Tenant)
        /// The store was not in the registry and is back.
        case recreated(Tenant)
        /// A new store made from the backup.
        case copied(Tenant)

        public var tenant: Tenant {
            switch self {
            case .replaced(let tenant), .recreated(let tenant), .copied(let tenant): return tenant
            }
        }
    }

    public func restore(tenantID: String, from file: String, asSlug: String? = nil) async throws -> Outcome {
        let backup = try UnpackedBackup.open(file)
        defer { backup.remove() }
        let store = backup.manifest.store
        guard store.id == tenantID else {
            throw Refused("the backup is of store \(store.id) (\(store.slug)), not \(tenantID)")
        }
        guard backup.manifest.storage == services.configuration.storage else {
            throw Refused("the backup was made on \(backup.manifest.storage.rawValue) and this platform runs on \(services.configuration.storage.rawValue)")
        }
        if let asSlug {
            return .copied(try await copy(backup, slug: asSlug))
        }
        if let existing = try await services.registry.find(id: tenantID) {
            return .replaced(try await replace(existing, with: backup))
        }
        return .recreated(try await recreate(backup))
    }

    private var dumps: any TenantDatabaseDumps {
        get throws { try StoreBackups(services: services).dumps }
    }

    private var media: MediaStorage { StoreBackups(services: services).media }

    private func replace(_ tenant: Tenant, with backup: UnpackedBackup) async throws -> Tenant {
        let allowed: Set<TenantStatus> = [.suspended, .deleted]
        guard allowed.contains(tenant.status) else {
            throw Refused(
                "store \(tenant.slug) is \(tenant.status.rawValue): suspend it first (POST /api/tenants/\(tenant.id)/suspend), restore, then activate it")
        }
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        var location = try services.databases.provider.plan(tenantID: "\(tenant.id)_r\(suffix)")
        location.pod = tenant.database.pod  // restored on the server that holds the store
        try await dumps.load(backup.dumpPath, into: location)
        let staged: URL
        do {
            staged = try stageMedia(backup, tenantID: tenant.id)
        } catch {
            try? await services.databases.provider.drop(location)
            throw error
        }
        guard let relocated = try await services.registry.relocate(id: tenant.id, from: tenant.database, to: location, ifStatus: allowed) else {
            try? await services.databases.provider.drop(location)
            try? FileManager.default.removeItem(at: staged)
            throw Refused("store \(tenant.slug) changed status, was restored by someone else or is being moved; nothing was restored")
        }
        // From here on the store is on the restored database: what follows is tidying, and a
        // failure is logged rather than reported as a failed restore.
        await services.directory.invalidate(id: tenant.id, slug: tenant.slug)
        await services.databases.close(tenantID: tenant.id)
        services.catalogCache.invalidate(tenantID: tenant.id)
        // The operator's reports forget the replaced database's days and read the restored one.
        do {
            try await PlatformActivity(database: services.platformDatabase).remove(tenantID: tenant.id)
        } catch {
            services.logger.error(
                "restore could not clear the store's rolled-up sales; the reports show the old days until it is purged",
                metadata: ["tenant": .string(tenant.id), "error": .string(DatabaseErrors.summary(error))])
        }
        services.usage.markChanged(tenantID: tenant.id)
        do {
            try swapMedia(staged, tenantID: tenant.id)
        } catch {
            services.logger.error(
                "restore could not put the store's images in place; they are in the staging folder",
                metadata: [
                    "tenant": .string(tenant.id), "folder": .string(staged.path), "error": .string(String(describing: error)),
                ])
        }
        do {
            try await services.databases.provider.drop(tenant.database)
        } catch {
            services.logger.error(
                "restore could not drop the store's previous database; it is left behind",
                metadata: [
                    "tenant": .string(tenant.id), "database": .string(tenant.database.name), "error": .string(DatabaseErrors.summary(error)),
                ])
        }
        try? await WebhookTenants(database: services.platformDatabase).add(tenantID: tenant.id)
        services.logger.notice("store restored from a backup", metadata: ["tenant": .string(tenant.id), "backup": .string(backup.manifest.createdAt)])
        return relocated
    }

    private func recreate(_ backup: UnpackedBackup) async throws -> Tenant {
        let store = backup.manifest.store
        let slug: Slug
        do {
            slug = try Slug(validating: store.slug)
        } catch {
            throw Refused("the backup's slug \(store.slug) is not valid here: restore with --as NEW_SLUG")
        }
        let status: TenantStatus = store.status == TenantStatus.active.rawValue ? .active : .suspended
        return try await make(backup, id: store.id, slug: slug, status: status, createdAt: Timestamp.date(store.createdAt) ?? Date())
    }

    private func copy(_ backup: UnpackedBackup, slug text: String) async throws -> Tenant {
        let slug: Slug
        do {
            slug = try Slug(validating: text)
        } catch {
            throw Refused("the slug \(text) \(error.message)")
        }
        return try await make(backup, id: Identifier.make("ten"), slug: slug, status: .suspended, createdAt: Date())
    }

    /// A new registry row (reserving the slug), the database from the dump, the images; then active.
    private func make(_ backup: UnpackedBackup, id: String, slug: Slug, status: TenantStatus, createdAt: Date) async throws -> Tenant {
        let store = backup.manifest.store
        let location = try services.databases.provider.plan(tenantID: id)
        // Never over a database that is there already (another platform's store on a shared
        // server, or one a failed purge left): it is not ours to replace or to clean up.
        if try await services.databases.provider.exists(location) {
            throw Refused("a database \(location.name) already exists; restore with --as NEW_SLUG, or remove it first")
        }
        let now = Date()
        let tenant = Tenant(
            id: id, slug: slug.value, storeName: store.storeName, ownerEmail: store.ownerEmail, status: .provisioning,
            database: location, createdAt: createdAt, updatedAt: now)
        do {
            try await services.registry.reserve(tenant)
        } catch is TenantRegistry.SlugTaken {
            throw Refused("the slug \(slug.value) belongs to another store: restore with --as NEW_SLUG")
        }
        var loaded = false
        do {
            try await dumps.load(backup.dumpPath, into: location)
            loaded = true
            let staged = try stageMedia(backup, tenantID: id)
            try swapMedia(staged, tenantID: id)
            guard let made = try await services.registry.transition(id: id, from: [.provisioning], to: status) else {
                throw Refused("store \(slug.value) changed during the restore")
            }
            await services.directory.invalidate(id: id, slug: slug.value)
            if id == store.id {
                // The same store back: its webhook queue is its own to deliver.
                try? await WebhookTenants(database: services.platformDatabase).add(tenantID: id)
            }
            services.logger.notice(
                "store restored from a backup", metadata: ["tenant": .string(id), "from": .string(store.id), "status": .string(status.rawValue)])
            return made
        } catch {
            // load() removes what it made when it fails; after it succeeded, the database is ours.
            if loaded { try? await services.databases.provider.drop(location) }
            if let folder = try? media.folder(tenantID: id) { try? FileManager.default.removeItem(at: folder) }
            try? await services.registry.remove(id: id)
            await services.directory.invalidate(id: id, slug: slug.value)
            throw error
        }
    }

    /// Copies the backup's images into a folder beside the store's.
    private func stageMedia(_ backup: UnpackedBackup, tenantID: String) throws -> URL {
        let folder = try media.folder(tenantID: tenantID)
        let staged = folder.deletingLastPathComponent().appendingPathComponent(".\(tenantID).restoring-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: staged, withIntermediateDirectories: true)
        do {
            for file in backup.mediaFiles {
                try FileManager.default.copyItem(atPath: file.path, toPath: staged.appendingPathComponent(file.name).path)
            }
        } catch {
            try? FileManager.default.removeItem(at: staged)
            throw error
        }
        return staged
    }

    /// Puts the staged images in place of the store's, and removes the old ones.
    private func swapMedia(_ staged: URL, tenantID: String) throws {
        let folder = try media.folder(tenantID: tenantID)
        let manager = FileManager.default
        let old = folder.deletingLastPathComponent().appendingPathComponent(".\(tenantID).old-\(UUID().uuidString)", isDirectory: true)
        if manager.fileExists(atPath: folder.path) { try manager.moveItem(at: folder, to: old) }
        try manager.moveItem(at: staged, to: folder)
        try? manager.removeItem(at: old)
    }
}
