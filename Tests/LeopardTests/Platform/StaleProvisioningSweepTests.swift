import Foundation
import HummingbirdTesting
import LeopardCore
import LeopardPlatform
import LeopardServer
import LeopardStorage
import Testing

@testable import LeopardOperations

@Suite("Unfinished signups")
struct StaleProvisioningSweepTests {
    @Test("a signup cut off by a crash is removed at the next start; one in progress is not")
    func sweepAtStart() async throws {
        let platform = try await TestPlatform.start()
        defer { platform.directory.remove() }
        let services = platform.services
        let provider = services.databases.provider

        // What a process dying after `create_database` leaves: a row in `provisioning` and a file.
        let longAgo = Date().addingTimeInterval(-3600)
        let crashedID = Identifier.make("ten", date: longAgo)
        let crashed = try provider.plan(tenantID: crashedID)
        try await services.registry.reserve(
            Tenant(
                id: crashedID, slug: "crashed-shop", storeName: "Crashed", ownerEmail: "a@b.test", status: .provisioning, database: crashed, createdAt: longAgo,
                updatedAt: longAgo))
        try await provider.create(crashed, migrator: services.storeMigrator)
        // And one that is simply in progress right now.
        let currentID = Identifier.make("ten")
        let current = try provider.plan(tenantID: currentID)
        try await services.registry.reserve(
            Tenant(
                id: currentID, slug: "busy-shop", storeName: "Busy", ownerEmail: "a@b.test", status: .provisioning, database: current, createdAt: Date(),
                updatedAt: Date()))
        await services.shutdown()

        let restarted = try await LeopardServices.start(TestPlatform.configuration(directory: platform.directory, databaseURL: nil))
        #expect(try await restarted.registry.find(id: crashedID) == nil)
        #expect(try await provider.exists(crashed) == false)
        #expect(try await restarted.registry.find(id: currentID)?.status == .provisioning)
        // The slug is free again.
        let again = TestPlatform(services: restarted, directory: platform.directory)
        let status = try await again.withClient { client in try await client.signup(storeName: "Crashed Shop").status }
        #expect(status == .created)
        await restarted.shutdown()
    }
}
