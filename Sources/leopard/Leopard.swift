import ArgumentParser

@main
struct Leopard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leopard",
        abstract: "A multi-tenant commerce platform: every store with its own database.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, BackupCommand.self, RestoreCommand.self, KeysCommand.self, PodsCommand.self, TenantsCommand.self,
            AuditCommand.self, BenchCommand.self, OpenAPICommand.self,
        ],
        defaultSubcommand: nil
    )
}
