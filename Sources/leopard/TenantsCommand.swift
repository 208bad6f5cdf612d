import ArgumentParser
import Foundation
import LeopardOperations
import LeopardServer

struct TenantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenants", abstract: "Stores, beyond what the control-plane API does.", subcommands: [TenantsMoveCommand.self])
}

struct TenantsMoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Move a store's database to another PostgreSQL server (pod).",
        discussion: """
            The store stays up: reads are served throughout, writes get 503 with Retry-After while \
            the database is copied (usually seconds). The copy is read back and compared with the \
            original before the store switches to it; then the old database is dropped. A failure \
            leaves the store where it was. If the moving process dies, the store stays read-only \
            until `leopard tenants move ID --abort`.
            """)

    @OptionGroup var platform: PlatformOptions
    @Argument(help: "The store's id (ten_…) or slug.") var tenant: String
    @Option(help: ArgumentHelp("The pod to move it to (`main` is the platform's own server; see leopard pods list).", valueName: "pod")) var to: String?
    @Flag(help: "Give up a move whose process is gone: the store stays where it was and takes writes again.") var abort = false

    func validate() throws {
        if abort, to != nil { throw ValidationError("give either --to POD or --abort") }
        if !abort, to == nil { throw ValidationError("give the pod to move the store to with --to POD") }
    }

    func run() async throws {
        if abort {
            let tenant = try await platform.withServices { services in try await TenantMove(services: services.platform).abort(self.tenant) }
            say("move of \(tenant.slug) aborted: it stays on \(tenant.database.pod ?? TenantMove.home) and takes writes again")
            return
        }
        let target = to ?? TenantMove.home
        let report = try await platform.withServices { services in try await TenantMove(services: services.platform).move(tenant, to: target) }
        say("moved \(report.tenant.slug) (\(report.tenant.id)) from \(report.from) to \(report.to) in \(Self.seconds(report.total))")
        say("  read-only for \(Self.seconds(report.readOnly)); \(report.tables) tables and \(report.rows) rows read back equal")
        if !report.oldDropped { say("  the old database on \(report.from) could not be dropped (its name is in the log): drop it by hand") }
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.2f s", Double(seconds) + Double(attoseconds) / 1e18)
    }
}
