import Testing

@testable import LeopardCommerce
@testable import LeopardPayments
@testable import LeopardPlatform
@testable import LeopardStorage

@Suite("Schemas: one file per migration, one ordered list")
struct SchemaListTests {
    @Test("the store and platform lists keep every id and their fingerprints (template names)")
    func fingerprints() {
        let store = StoreDatabaseSchema.migrations.map(\.id)
        #expect(store == store.sorted())
        #expect(Set(store).count == store.count)
        #expect(store.first == "0001_store_settings")
        #expect(store.count == 35)
        // The ids of the list as it was before the files were split: a changed id would leave
        // every existing store database with a migration it never applied.
        #expect(Migrator(StoreDatabaseSchema.migrations).fingerprint == "da1dd2bc2414")
        #expect(Migrator(PlatformSchema.migrations).fingerprint == "da409776ebaf")
    }

    @Test("each engine gets statements for every migration")
    func statements() {
        for migration in StoreDatabaseSchema.migrations + PlatformSchema.migrations {
            #expect(!migration.statements(for: .sqlite).isEmpty, "\(migration.id) on SQLite")
            #expect(!migration.statements(for: .postgres).isEmpty, "\(migration.id) on PostgreSQL")
        }
    }
}
