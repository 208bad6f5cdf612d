import ArgumentParser
import Foundation
import LeopardPlatform
import LeopardServer
import LeopardStorage

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending migrations to the platform database and to every store database.")

    @OptionGroup var platform: PlatformOptions

    func run() async throws {
        let configuration = try platform.configuration()
        let services = try await LeopardServices.start(configuration, logger: platform.logger(configuration))
        print("platform: up to date (\(PlatformSchema.migrations.count) migrations)")
        var failures = 0
        for tenant in try await services.registry.all() where tenant.status != .provisioning {
            do {
                let applied = try await services.databases.provider.open(tenant.database).withClosing { handle in
                    try await services.storeMigrator.migrate(handle)
                }
                print("\(tenant.id) \(tenant.slug): " + (applied.isEmpty ? "up to date" : "applied \(applied.joined(separator: ", "))"))
            } catch {
                failures += 1
                print("\(tenant.id) \(tenant.slug): FAILED: \(DatabaseErrors.summary(error))")
            }
        }
        await services.shutdown()
        if failures > 0 { throw ExitCode(1) }
    }
}

extension DatabaseHandle {
    /// Runs `body`, then closes the handle whatever happened.
    func withClosing<T>(_ body: (any DatabaseHandle) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            await close()
            return result
        } catch {
            await close()
            throw error
        }
    }
}
