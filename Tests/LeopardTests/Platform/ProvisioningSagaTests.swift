import Foundation
import HummingbirdTesting
import LeopardPlatform
import LeopardServer
import LeopardStorage
import SQLKit
import Testing

@Suite("Provisioning saga on SQLite")
struct ProvisioningSagaTests {
    @Test("a failure at any step leaves no row, no file and no open handle, and is logged", arguments: ProvisioningStep.allCases)
    func rollback(_ step: ProvisioningStep) async throws {
        let fault = OneShotFault(at: step)
        try await TestPlatform.withPlatform(configure: { $0.provisioningFaults = fault.injector }) { platform, client in
            let failed = try await client.signup(storeName: "Doomed Shop")
            #expect(failed.status == .serviceUnavailable)
            #expect(failed.headers[.contentType] == "application/problem+json")
            #expect(try await platform.services.registry.count() == 0)
            #expect(try platform.allStoreFiles().isEmpty)
            #expect(await platform.services.databases.stats().open == 0)

            let attempts = try await platform.services.provisioningLog.recent()
            let attempt = try #require(attempts.first)
            #expect(attempts.count == 1)
            #expect(!attempt.succeeded)
            #expect(attempt.failedStep == step)
            #expect(attempt.error?.contains("injected failure") == true)
            #expect(attempt.steps.map(\.step) == Array(ProvisioningStep.allCases.prefix(through: ProvisioningStep.allCases.firstIndex(of: step)!)))
            #expect(attempt.steps.last?.succeeded == false)

            // The slug was released: the same signup now works.
            let retry = try await client.signup(storeName: "Doomed Shop")
            #expect(retry.status == .created)
            #expect(try platform.storeFiles().count == 1)
            let log = try await platform.services.provisioningLog.recent()
            #expect(log.count == 2)
            #expect(log.contains { $0.succeeded && $0.steps.count == ProvisioningStep.allCases.count })
        }
    }
}
