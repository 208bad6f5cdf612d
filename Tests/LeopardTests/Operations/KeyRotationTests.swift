import Crypto
import Foundation
import HummingbirdTesting
import LeopardPayments
import LeopardPlatform
import SQLKit
import Testing

@testable import LeopardOperations
@testable import LeopardServer
@testable import LeopardStorage

@Suite("Key rotation")
struct KeyRotationTests {
    /// Every sealed value of the platform and of one store, as stored.
    func sealedValues(_ platform: TestPlatform, _ tenantID: String) async throws -> [String] {
        let services = platform.services
        var values = try await services.platformDatabase.read { sql in
            try await sql.raw("SELECT database_secret FROM tenants WHERE database_secret IS NOT NULL").all().map {
                try $0.decode(column: "database_secret", as: String.self)
            }
                + sql.raw("SELECT sealed_url FROM pods").all().map { try $0.decode(column: "sealed_url", as: String.self) }
        }
        let tenant = try #require(try await services.registry.find(id: tenantID))
        values += try await services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
            try await database.read { sql in
                let keys = try await sql.raw("SELECT secret_key_sealed, webhook_secret_sealed FROM provider_credentials").all()
                    .flatMap { [try $0.decode(column: "secret_key_sealed", as: String.self), try $0.decode(column: "webhook_secret_sealed", as: String.self)] }
                let hooks = try await sql.raw("SELECT secret_sealed FROM webhook_endpoints").all().map {
                    try $0.decode(column: "secret_sealed", as: String.self)
                }
                return keys + hooks
            }
        }
        return values
    }

    @Test(
        "leopard keys rotate: a new key first in the file, every secret re-sealed (store passwords, Stripe keys, webhook secrets), the old key removed; the store works and the old key opens nothing",
        arguments: TestPlatform.storages)
    func rotate(storage: TestPlatform.Storage) async throws {
        let first = try await TestPlatform.start(storage)
        let store: StoreFixture
        do {
            store = try await first.withClient { client in
                let store = try await client.makeStore("Key Shop")
                #expect(
                    try await client.call(
                        .put, "/api/payment-providers/stripe", store: store, json: ["secretKey": "sk_test_51RotateMe", "webhookSecret": "whsec_RotateMe123"]
                    ).status == .ok)
                #expect(
                    try await client.call(.post, "/api/webhooks", store: store, json: ["url": "https://hooks.example.com/x", "events": ["order.created"]])
                        .status == .created)
                return store
            }
            // A pod's URL is sealed too (recorded directly: the server is not needed for this).
            _ = try await first.services.pods?.add(name: "pod-rotate", url: "postgres://leopard:pod-password@127.0.0.1:5999/postgres", maxStores: 10)
        } catch {
            await first.stop()
            throw error
        }
        let keyFile = first.services.configuration.keyFile
        let oldBox = try SecretBox.load(environmentValue: nil, keyFile: keyFile)
        let before = try await sealedValues(first, store.id)
        #expect(before.count == (storage == .postgres ? 5 : 3))
        #expect(try before.allSatisfy { try oldBox.open($0).isEmpty == false })

        #expect(try SecretBox.beginRotation(keyFile: keyFile))
        #expect(try SecretBox.readKeyFile(keyFile).count == 2)
        // Run again after a stop half-way: the same two keys, no third.
        #expect(try !SecretBox.beginRotation(keyFile: keyFile))
        #expect(try SecretBox.readKeyFile(keyFile).count == 2)

        let second = try await first.restarted()
        let third: TestPlatform
        do {
            #expect(second.services.secrets.keyCount == 2)
            let report = try await KeyRotation(services: second.services.platform).resealAll()
            #expect(report.failed.isEmpty)
            #expect(report.stores == 1)
            #expect(report.resealed == before.count)
            // Nothing left to do on a second run.
            #expect(try await KeyRotation(services: second.services.platform).resealAll().resealed == 0)
            try SecretBox.finishRotation(keyFile: keyFile)
            #expect(try SecretBox.readKeyFile(keyFile).count == 1)
            third = try await second.restarted()
        } catch {
            await second.stop()
            throw error
        }
        do {
            #expect(third.services.secrets.keyCount == 1)
            let after = try await sealedValues(third, store.id)
            #expect(after.count == before.count)
            for value in after {
                #expect(throws: SecretBox.OpenError.self) { try oldBox.open(value) }
                #expect(try third.services.secrets.open(value).isEmpty == false)
            }
            // The store opens (on PostgreSQL with its role's password, re-sealed) and its keys read.
            let tenant = try #require(try await third.services.registry.find(id: store.id))
            let keys = try await third.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                try await ProviderCredentials(database: database, secrets: third.services.secrets).keys(provider: "stripe")
            }
            #expect(keys?.secretKey == "sk_test_51RotateMe")
            #expect(keys?.webhookSecret == "whsec_RotateMe123")
            let status = try await third.withClient { client in try await client.call(.get, "/api/store", host: store.host).status }
            #expect(status == .ok)
            await third.stop()
        } catch {
            await third.stop()
            throw error
        }
    }

    @Test("A key ring: the current key seals, every key opens; a key file line that is not a key stops the start")
    func keyRing() throws {
        let old = SymmetricKey(size: .bits256)
        let new = SymmetricKey(size: .bits256)
        let sealedOld = try SecretBox(key: old).seal("s3cret")
        let ring = SecretBox(key: new, previous: [old])
        #expect(try ring.open(sealedOld) == "s3cret")
        #expect(!ring.isSealedWithCurrentKey(sealedOld))
        let sealedNew = try ring.seal("s3cret")
        #expect(ring.isSealedWithCurrentKey(sealedNew))
        #expect(throws: SecretBox.OpenError.self) { try SecretBox(key: old).open(sealedNew) }
        #expect(throws: SecretBox.OpenError.self) { try ring.open("v1:AAAA") }

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("secret.key")
        _ = try SecretBox.load(environmentValue: nil, keyFile: file)
        try (String(contentsOf: file, encoding: .utf8) + "not-a-key\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: SecretBox.KeyFileInvalid.self) { try SecretBox.load(environmentValue: nil, keyFile: file) }
        // From the environment: the previous key opens too.
        let environment = try SecretBox.load(environmentValue: "new-key-text", previousEnvironmentValue: "old-key-text", keyFile: file)
        #expect(try environment.open(try SecretBox.load(environmentValue: "old-key-text", keyFile: file).seal("x")) == "x")
    }
}
