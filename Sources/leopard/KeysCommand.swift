import ArgumentParser
import Foundation
import LeopardOperations
import LeopardServer
import LeopardStorage

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "The platform key.", subcommands: [KeysRotateCommand.self])
}

struct KeysRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Replace the platform key and re-seal every secret under the new one. Stop `serve` first.",
        discussion: """
            With the key file (DATA_DIR/secret.key): a new key goes first in the file with the old \
            one after it, every sealed value is re-sealed under the new key, then the old key is \
            removed. A rotation that stopped half-way continues when run again. With \
            LEOPARD_SECRET_KEY: set it to the new key and LEOPARD_SECRET_KEY_PREVIOUS to the old \
            one, run this, then remove LEOPARD_SECRET_KEY_PREVIOUS.
            """)

    @OptionGroup var platform: PlatformOptions

    func run() async throws {
        let configuration = try platform.configuration()
        let fromEnvironment = !(configuration.secretKey ?? "").isEmpty
        if fromEnvironment {
            guard !(configuration.previousSecretKey ?? "").isEmpty else {
                throw ValidationError(
                    "the key comes from LEOPARD_SECRET_KEY: set it to the new key and LEOPARD_SECRET_KEY_PREVIOUS to the old one, then run this again")
            }
        } else {
            guard FileManager.default.fileExists(atPath: configuration.keyFile.path) else {
                throw ValidationError("there is no key file at \(configuration.keyFile.path): nothing to rotate")
            }
            if try SecretBox.beginRotation(keyFile: configuration.keyFile) {
                say("new key written to \(configuration.keyFile.path) (the old key kept after it until the end)")
            } else {
                say("continuing a rotation: the key file already holds a new and an old key")
            }
        }
        let services = try await LeopardServices.start(configuration, logger: platform.logger(configuration), makeOperatorToken: false)
        let report: KeyRotation.Report
        do {
            report = try await KeyRotation(services: services.platform).resealAll()
        } catch {
            await services.shutdown()
            throw CommandFailure(error)
        }
        await services.shutdown()
        for failed in report.failed { say("FAILED \(failed.tenantID): \(failed.error)") }
        say("\(report.resealed) secrets re-sealed in the platform and \(report.stores) stores")
        guard report.failed.isEmpty else {
            say("the old key stays until every store is done: fix the failures and run this again")
            throw ExitCode(1)
        }
        if fromEnvironment {
            say("done: remove LEOPARD_SECRET_KEY_PREVIOUS and start the platform")
        } else {
            try SecretBox.finishRotation(keyFile: configuration.keyFile)
            say("done: the old key is removed from \(configuration.keyFile.path)")
        }
    }
}
