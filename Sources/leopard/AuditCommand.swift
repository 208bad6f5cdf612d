import ArgumentParser
import Foundation
import LeopardOperations
import LeopardServer

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Check the platform.", subcommands: [IsolationAuditCommand.self])
}

struct IsolationAuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "isolation",
        abstract: "Check that every store is kept apart from every other; exits 1 on any finding.")

    @OptionGroup var platform: PlatformOptions
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        let configuration = try platform.configuration()
        let services = try await LeopardServices.start(configuration, logger: platform.logger(configuration), makeOperatorToken: false)
        let report: IsolationAuditReport
        do {
            report = try await services.platform.auditIsolation()
        } catch {
            await services.shutdown()
            throw error
        }
        await services.shutdown()
        if json {
            print(report.json)
        } else {
            for finding in report.findings { print("FINDING \(finding.tenantId ?? "-") \(finding.check): \(finding.detail)") }
            print("\(report.stores) stores on \(report.storage), \(report.checks) checks, \(report.findings.count) findings")
        }
        if !report.findings.isEmpty { throw ExitCode(1) }
    }
}
