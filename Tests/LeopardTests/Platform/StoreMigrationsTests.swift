import Foundation
import HummingbirdTesting
import LeopardServer
import LeopardStorage
import Testing

@testable import LeopardOperations

@Suite("leopard migrate")
struct StoreMigrationsTests {
    @Test("every store is brought to the new schema and reported; a broken store does not stop the others")
    func migratesEveryStore() async throws {
        let platform = try await TestPlatform.start()
        defer { platform.directory.remove() }
        let ids = try await platform.withClient { client in
            var ids: [String] = []
            for name in ["First Shop", "Second Shop", "Third Shop"] {
                ids.append(try #require(try await client.signup(storeName: name).json["id"] as? String))
            }
            return ids
        }
        await platform.services.shutdown()
        // One store's file is damaged beyond use.
        try Data("not a database".utf8).write(to: platform.tenantsDirectory.appendingPathComponent("\(ids[2]).sqlite"))

        var configuration = TestPlatform.configuration(directory: platform.directory, databaseURL: nil)
        configuration.storeMigrations.append(Migration("9999_notes", ["CREATE TABLE notes (body TEXT)"]))
        let upgraded = try await LeopardServices.start(configuration)
        let reports = try await StoreMigrations(services: upgraded.platform).run()
        #expect(reports.map(\.tenantID) == ids)
        #expect(reports[0].applied == ["9999_notes"])
        #expect(reports[1].applied == ["9999_notes"])
        #expect(reports[2].failure != nil)
        // Again: nothing left to do for the healthy ones.
        let again = try await StoreMigrations(services: upgraded.platform).run()
        #expect(again[0].applied.isEmpty && again[0].failure == nil)
        await upgraded.shutdown()
    }
}
