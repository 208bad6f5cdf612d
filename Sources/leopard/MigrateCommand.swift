import ArgumentParser
import LeopardOperations
import LeopardPlatform
import LeopardServer

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply pending migrations to the platform database and to every store database.")

    @OptionGroup var platform: PlatformOptions

    func run() async throws {
        let configuration = try platform.configuration()
        // Starting the services migrates the platform database and the store template.
        let services = try await LeopardServices.start(configuration, logger: platform.logger(configuration), makeOperatorToken: false)
        print("platform: up to date (\(PlatformSchema.migrations.count) migrations)")
        if let token = services.newOperatorToken {
            print("Operator token (shown once, stored hashed): \(token)")
        }
        let reports: [StoreMigrations.Report]
        do {
            reports = try await StoreMigrations(services: services.platform).run()
        } catch {
            await services.shutdown()
            throw error
        }
        await services.shutdown()
        for report in reports {
            let outcome =
                report.failure.map { "FAILED: \($0)" } ?? (report.applied.isEmpty ? "up to date" : "applied \(report.applied.joined(separator: ", "))")
            print("\(report.tenantID) \(report.slug): \(outcome)")
        }
        print("\(reports.count) stores, \(reports.filter { !$0.applied.isEmpty }.count) migrated, \(reports.filter { $0.failure != nil }.count) failed")
        if reports.contains(where: { $0.failure != nil }) { throw ExitCode(1) }
    }
}
