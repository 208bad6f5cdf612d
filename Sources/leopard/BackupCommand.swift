import ArgumentParser
import Foundation
import LeopardCore
import LeopardOperations
import LeopardServer

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up stores, or check a backup file.",
        subcommands: [BackupCreateCommand.self, BackupVerifyCommand.self],
        defaultSubcommand: BackupCreateCommand.self)
}

struct BackupCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Back up one store, or every store, into DIR/<tenant id>/<time>-<slug>.leopard.tar (also `leopard backup --to DIR`).")

    @OptionGroup var platform: PlatformOptions
    @Option(help: ArgumentHelp("Only this store (id or slug).", valueName: "id")) var tenant: String?
    @Option(help: ArgumentHelp("The folder to write into.", valueName: "dir")) var to: String
    @Option(help: ArgumentHelp("Then keep only the newest N backups of each store in the folder.", valueName: "n")) var keep: Int?

    func run() async throws {
        if let keep, keep < 1 { throw ValidationError("--keep must be at least 1") }
        let configuration = try platform.configuration()
        let services = try await LeopardServices.start(configuration, logger: platform.logger(configuration), makeOperatorToken: false)
        let folder = URL(fileURLWithPath: to, isDirectory: true)
        var failures = 0
        do {
            let backups = StoreBackups(services: services.platform)
            if let tenant {
                guard let found = try await services.registry.find(idOrSlug: tenant.lowercased()), found.status != .provisioning else {
                    throw ValidationError("there is no store \(tenant)")
                }
                let made = try await backups.backup(found, to: folder)
                say("\(made.tenantID) \(made.slug) \(made.bytes) bytes \(made.path)")
            } else {
                let result = try await backups.backupAll(to: folder)
                for made in result.made { say("\(made.tenantID) \(made.slug) \(made.bytes) bytes \(made.path)") }
                for failed in result.failed { say("FAILED \(failed.tenantID): \(failed.error)") }
                say("\(result.made.count) stores backed up, \(result.failed.count) failed")
                failures = result.failed.count
            }
            if let keep {
                let removed = StoreBackups.prune(folder, keep: keep)
                if !removed.isEmpty { say("\(removed.count) older backups removed") }
            }
        } catch {
            await services.shutdown()
            throw CommandFailure(error)
        }
        await services.shutdown()
        if failures > 0 { throw ExitCode(1) }
    }
}

struct BackupVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a backup file: checksums, then a load into a scratch database with integrity checks. Exits 1 when unusable.")

    @OptionGroup var platform: PlatformOptions
    @Argument(help: ArgumentHelp("The backup file.", valueName: "file")) var file: String

    func run() async throws {
        let configuration = try platform.configuration()
        let services = try await LeopardServices.start(configuration, logger: platform.logger(configuration), makeOperatorToken: false)
        let report: BackupVerifier.Report
        do {
            report = try await BackupVerifier(services: services.platform).verify(file)
        } catch {
            await services.shutdown()
            throw CommandFailure(error)
        }
        await services.shutdown()
        let store = report.manifest.store
        say("OK \(file)")
        say("  store \(store.id) \(store.slug) (\(store.storeName)), \(report.manifest.storage.rawValue), made \(report.manifest.createdAt)")
        let interesting = ["products", "product_variants", "customers", "orders", "payments"]
        say("  " + interesting.compactMap { table in report.rows[table].map { "\(table) \($0)" } }.joined(separator: ", ") + ", images \(report.images)")
        say("  \(report.rows.count) tables, \(report.rows.values.reduce(0, +)) rows")
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Bring a store back from a backup file.",
        discussion: """
            Over an existing store, the store must be suspended or soft-deleted first; its database is \
            replaced only once the backup has loaded and passed its checks, and it keeps its status. \
            A store no longer in the registry comes back with its id and slug. With --as, the backup \
            becomes a new store beside the original.
            """)

    @OptionGroup var platform: PlatformOptions
    @Option(help: ArgumentHelp("The store's id (as in the backup).", valueName: "id")) var tenant: String
    @Option(help: ArgumentHelp("The backup file.", valueName: "file")) var from: String
    @Option(name: .customLong("as"), help: ArgumentHelp("Restore as a new store with this slug.", valueName: "new-slug")) var asSlug: String?

    func run() async throws {
        let configuration = try platform.configuration()
        let services = try await LeopardServices.start(configuration, logger: platform.logger(configuration), makeOperatorToken: false)
        let outcome: StoreRestore.Outcome
        do {
            outcome = try await StoreRestore(services: services.platform).restore(tenantID: tenant.lowercased(), from: from, asSlug: asSlug?.lowercased())
        } catch {
            await services.shutdown()
            throw CommandFailure(error)
        }
        await services.shutdown()
        let tenant = outcome.tenant
        switch outcome {
        case .replaced: say("restored \(tenant.id) \(tenant.slug) over its current data; it is \(tenant.status.rawValue)")
        case .recreated: say("restored \(tenant.id) \(tenant.slug); it is \(tenant.status.rawValue)")
        case .copied: say("restored as a new store \(tenant.id) \(tenant.slug); it is \(tenant.status.rawValue)")
        }
    }
}

/// An error said in one line on standard error, with exit status 1 (not a stack of Swift types).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ error: any Error) {
        description = String(describing: error)
    }
}
