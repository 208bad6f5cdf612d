import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardCore
import LeopardPlatform
import LeopardStorage
import Logging
import Testing

@testable import LeopardOperations
@testable import LeopardServer

/// A store with a product, an image, a paid order and its customer.
func stockedStore(_ client: any TestClientProtocol, _ name: String) async throws -> StoreFixture {
    let store = try await client.makeStore(name)
    let product = try ProductRef(try await client.makeProduct(store, title: "Cup", price: 1500, stock: 9))
    try await client.uploadImage(store, productID: product.id)
    let cart = try await client.makeCart(store, variantID: product.variant, quantity: 2)
    let order = try await client.call(
        .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
    let orderID = try #require(order.json["id"] as? String)
    #expect(try await client.call(.post, "/api/orders/\(orderID)/mark-paid", store: store).status == .ok)
    return store
}

extension TestPlatform {
    /// The store's whole database as text (StoreExport), read through the connection manager.
    func export(_ tenantID: String) async throws -> String {
        let tenant = try #require(try await services.registry.find(id: tenantID))
        return try await services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
            try await StoreExport(database: database).text()
        }
    }

    func tenant(_ id: String) async throws -> Tenant {
        try #require(try await services.registry.find(id: id))
    }

    var backupFolder: URL { directory.url.appendingPathComponent("backups-under-test", isDirectory: true) }

    func backup(_ id: String) async throws -> String {
        try await StoreBackups(services: services.platform).backup(try await tenant(id), to: backupFolder).path
    }

    func imageFiles(_ id: String) -> [String: Data] {
        let folder = directory.url.appendingPathComponent("media/\(id)")
        var files: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            files[name] = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
        }
        return files
    }
}

@Suite("Backups and restore")
struct BackupTests {
    @Test(
        "Backup, change, restore over the store: the export is byte for byte what it was, images too; the old database is gone",
        arguments: TestPlatform.storages)
    func roundTrip(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await stockedStore(client, "Round Trip")
            let before = try await platform.export(store.id)
            #expect(before.contains("## products"))
            #expect(before.contains("Cup"))
            let images = platform.imageFiles(store.id)
            #expect(images.count == 1)
            let file = try await platform.backup(store.id)

            let report = try await BackupVerifier(services: platform.services.platform).verify(file)
            #expect(report.rows["products"] == 1)
            #expect(report.rows["orders"] == 1)
            #expect(report.rows["customers"] == 1)
            #expect(report.images == 1)
            #expect(report.manifest.store.slug == store.slug)

            // Changes after the backup: a product added, the image removed.
            _ = try await client.makeProduct(store, title: "Later", price: 100, stock: 1)
            let product = try #require((try await client.call(.get, "/api/products?q=Cup", host: store.host).json["data"] as? [[String: Any]])?.first)
            let image = try #require((product["images"] as? [[String: Any]])?.first?["id"] as? String)
            let productID = try #require(product["id"] as? String)
            #expect(try await client.call(.delete, "/api/products/\(productID)/images/\(image)", store: store).status == .noContent)
            #expect(try await platform.export(store.id) != before)

            // An active store is not restored over: a running server could be writing to it.
            await #expect(throws: StoreRestore.Refused.self) {
                try await StoreRestore(services: platform.services.platform).restore(tenantID: store.id, from: file)
            }
            let old = try await platform.tenant(store.id).database
            await UsageFlushService.flush(platform.services.platform, logger: platform.services.logger)
            let activity = PlatformActivity(database: platform.services.platformDatabase)
            #expect(try await activity.rolledUpAt(tenantID: store.id) != nil, "the operator's reports copied the store's sales")
            #expect(try await client.execute(uri: "/api/tenants/\(store.id)/suspend", method: .post, headers: .operatorAuth).status == .ok)
            // The operator looks at the suspended store: this server opens its database again.
            #expect(try await client.execute(uri: "/api/tenants/\(store.id)/metrics", method: .get, headers: .operatorAuth).status == .ok)
            #expect(await platform.services.databases.isOpen(tenantID: store.id))
            // The restore runs in another process, as `leopard restore` does: this server learns
            // of the new database only from the registry.
            var quiet = Logger(label: "leopard.test.cli")
            quiet.logLevel = .warning
            let cli = try await LeopardServices.start(platform.services.configuration, logger: quiet)
            let outcome: StoreRestore.Outcome
            do {
                outcome = try await StoreRestore(services: cli.platform).restore(tenantID: store.id, from: file)
            } catch {
                await cli.shutdown()
                throw error
            }
            await cli.shutdown()
            guard case .replaced(let restored) = outcome else {
                Issue.record("expected a replace, got \(outcome)")
                return
            }
            #expect(restored.status == .suspended)
            #expect(try await activity.rolledUpAt(tenantID: store.id) == nil, "the replaced database's days are forgotten, to be read again")
            #expect(restored.database != old)
            #expect(try await platform.services.databases.provider.exists(old) == false)
            #expect(try await client.execute(uri: "/api/tenants/\(store.id)/activate", method: .post, headers: .operatorAuth).status == .ok)

            #expect(try await platform.export(store.id) == before)
            #expect(platform.imageFiles(store.id) == images)
            let listed = try await client.call(.get, "/api/products", host: store.host)
            #expect((listed.json["data"] as? [[String: Any]])?.map { $0["title"] as? String } == ["Cup"])
            let staff = try await client.call(.get, "/api/orders", store: store)
            #expect((staff.json["data"] as? [[String: Any]])?.count == 1, "staff tokens of the backup still sign in: \(staff.status)")
        }
    }

    @Test("Restore --as makes a copy beside the original; a purged store comes back with its id and slug", arguments: TestPlatform.storages)
    func copyAndRecreate(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await stockedStore(client, "Copy Source")
            let before = try await platform.export(store.id)
            let file = try await platform.backup(store.id)
            let restore = StoreRestore(services: platform.services.platform)

            let copy = try await restore.restore(tenantID: store.id, from: file, asSlug: "copy-of-source").tenant
            #expect(copy.id != store.id)
            #expect(copy.slug == "copy-of-source")
            // A copy starts suspended: it holds the original's payment keys and webhook queue.
            #expect(copy.status == .suspended)
            #expect(try await client.call(.get, "/api/products", host: "copy-of-source.localhost").status == .serviceUnavailable)
            #expect(try await client.execute(uri: "/api/tenants/\(copy.id)/activate", method: .post, headers: .operatorAuth).status == .ok)
            #expect(try await platform.export(copy.id) == before)
            #expect(platform.imageFiles(copy.id) == platform.imageFiles(store.id))
            let listed = try await client.call(.get, "/api/products", host: "copy-of-source.localhost")
            #expect((listed.json["data"] as? [[String: Any]])?.first?["title"] as? String == "Cup")
            // The original is untouched and a second copy under a taken slug is refused.
            #expect(try await platform.export(store.id) == before)
            await #expect(throws: StoreRestore.Refused.self) { try await restore.restore(tenantID: store.id, from: file, asSlug: "copy-of-source") }
            await #expect(throws: StoreRestore.Refused.self) { try await restore.restore(tenantID: store.id, from: file, asSlug: "Bad Slug!") }
            await #expect(throws: StoreRestore.Refused.self) { try await restore.restore(tenantID: copy.id, from: file) }

            // Purged: gone from the registry, then back from the file.
            #expect(try await client.execute(uri: "/api/tenants/\(store.id)", method: .delete, headers: .operatorAuth).status == .ok)
            #expect(try await client.execute(uri: "/api/tenants/\(store.id)?purge=true", method: .delete, headers: .operatorAuth).status == .noContent)
            #expect(try await platform.services.registry.find(id: store.id) == nil)
            // A database already where the store's would go is neither replaced nor removed.
            let planned = try platform.services.databases.provider.plan(tenantID: store.id)
            if storage == .sqlite {
                let squatter = platform.tenantsDirectory.appendingPathComponent(planned.name)
                try Data("someone else's".utf8).write(to: squatter)
                await #expect(throws: StoreRestore.Refused.self) { try await restore.restore(tenantID: store.id, from: file) }
                #expect(FileManager.default.contents(atPath: squatter.path) == Data("someone else's".utf8))
                #expect(try await platform.services.registry.find(id: store.id) == nil)
                try FileManager.default.removeItem(at: squatter)
            }
            let back = try await restore.restore(tenantID: store.id, from: file)
            guard case .recreated(let tenant) = back else {
                Issue.record("expected a recreate, got \(back)")
                return
            }
            #expect(tenant.slug == store.slug)
            #expect(tenant.status == .active)
            #expect(try await platform.export(store.id) == before)
            #expect(try await client.call(.get, "/api/store", host: store.host).status == .ok)
        }
    }

    @Test("A damaged or foreign file fails with a clear message and leaves the store as it was", arguments: TestPlatform.storages)
    func damagedFiles(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await stockedStore(client, "Damage Check")
            let file = try await platform.backup(store.id)
            #expect(try await client.execute(uri: "/api/tenants/\(store.id)/suspend", method: .post, headers: .operatorAuth).status == .ok)
            let before = try await platform.export(store.id)
            let location = try await platform.tenant(store.id).database
            let restore = StoreRestore(services: platform.services.platform)
            let original = try Data(contentsOf: URL(fileURLWithPath: file))

            func attempt(_ bytes: Data, _ expected: String) async throws {
                let path = platform.directory.url.appendingPathComponent("damaged-\(UUID().uuidString).tar").path
                try bytes.write(to: URL(fileURLWithPath: path))
                do {
                    _ = try await restore.restore(tenantID: store.id, from: path)
                    Issue.record("a damaged file was restored (\(expected))")
                } catch {
                    #expect(String(describing: error).contains(expected), "\(error)")
                }
                await #expect(throws: (any Error).self) { try await BackupVerifier(services: platform.services.platform).verify(path) }
            }
            // One byte of the database changed: its checksum no longer matches.
            var flipped = original
            flipped[2048] ^= 0xFF
            try await attempt(flipped, "does not match its checksum")
            try await attempt(original.prefix(original.count / 2), "ends in the middle")
            try await attempt(Data("not a backup at all".utf8), "damaged or not a Leopard backup")

            // Sound archive and checksums, but the database inside is garbage.
            let unpacked = try UnpackedBackup.open(file)
            defer { unpacked.remove() }
            let garbage = unpacked.folder + "/garbage"
            try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: garbage))
            var manifest = unpacked.manifest
            let (bytes, digest) = try UnpackedBackup.digest(garbage)
            manifest.entries = [.init(name: manifest.entries[0].name, bytes: bytes, sha256: digest)]
            let manifestPath = unpacked.folder + "/forged-manifest.json"
            try manifest.json.write(to: URL(fileURLWithPath: manifestPath))
            let forged = platform.directory.url.appendingPathComponent("forged.tar").path
            try TarArchive.write([("manifest.json", manifestPath), (manifest.entries[0].name, garbage)], to: forged)
            try await attempt(try Data(contentsOf: URL(fileURLWithPath: forged)), "unusable")

            await #expect(throws: StoreRestore.Refused.self) { try await restore.restore(tenantID: "ten_01aaaaaaaaaaaaaaaaaaaaaaaa", from: file) }
            await #expect(throws: (any Error).self) { try await restore.restore(tenantID: store.id, from: "/nonexistent/file.tar") }

            #expect(try await platform.tenant(store.id).database == location)
            #expect(try await platform.tenant(store.id).status == .suspended)
            #expect(try await platform.export(store.id) == before)
            if storage == .sqlite {
                // Nothing half-restored is left beside the store's own file.
                let files = try platform.storeFiles()
                #expect(files.allSatisfy { !$0.contains("_r") }, "\(files)")
            }
        }
    }

    @Test("Scheduled backups: every store each run, the newest N kept per store; the first run waits for the last scheduled run, not a manual backup")
    func schedule() async throws {
        try await TestPlatform.withPlatform(.sqlite) { platform, client in
            let first = try await client.makeStore("Sched One")
            let second = try await client.makeStore("Sched Two")
            let folder = platform.backupFolder
            let service = BackupScheduleService(
                backups: StoreBackups(services: platform.services.platform), directory: folder, interval: .seconds(3600), keep: 2,
                logger: platform.services.logger)
            #expect(try await service.firstWait(now: Date()) == .zero)
            let start = Date()
            for run in -2...0 {
                let result = await service.runOnce(now: start.addingTimeInterval(Double(run) * 3600))
                #expect(result.made == 2)
                #expect(result.failed == 0)
                // The same moment again (a second instance waking with this one) starts nothing.
                #expect(await service.runOnce(now: start.addingTimeInterval(Double(run) * 3600)).made == 0)
            }
            for store in [first, second] {
                let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(store.id).path).sorted()
                #expect(files.count == 2)
                #expect(files.allSatisfy { $0.hasSuffix(StoreBackups.fileSuffix) && $0.contains(store.slug) })
                // The two newest runs.
                #expect(files.first?.hasPrefix(String(StoreBackups.fileName(slug: store.slug, at: start.addingTimeInterval(-3600)).prefix(13))) == true)
            }
            let wait = try await service.firstWait(now: Date())
            #expect(wait > .seconds(3500) && wait <= .seconds(3600))
            // A manual backup of one store does not move the schedule.
            _ = try await platform.backup(first.id)
            let after = try await service.firstWait(now: Date())
            #expect(after > .seconds(3500) && after <= wait)
            #expect(StoreBackups.prune(folder, keep: 1).count == 3)  // two of the first store (with the manual one), one of the second
        }
    }

    @Test("Backup file names sort by time; --backup-every values")
    func names() {
        let date = Date(timeIntervalSince1970: 1_795_000_000.5)
        #expect(StoreBackups.fileName(slug: "acme", at: date) == "20261118T110640.500Z-acme.leopard.tar")
        #expect(DurationText.parse("24h") == .seconds(86400))
        #expect(DurationText.parse("90s") == .seconds(90))
        #expect(DurationText.parse("7d") == .seconds(604_800))
        for bad in ["", "h", "0h", "-1h", "24", "1w", "1.5h", "99999999999999999d"] {
            #expect(DurationText.parse(bad) == nil, "\(bad)")
        }
    }
}

@Suite("Tar archives")
struct TarArchiveTests {
    @Test("Files go in and come out the same; names are checked before anything is written outside the folder")
    func roundTripAndNames() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let root = directory.url.path
        let a = root + "/a.bin"
        let b = root + "/b.bin"
        try Data((0..<1500).map { UInt8($0 % 251) }).write(to: URL(fileURLWithPath: a))
        try Data().write(to: URL(fileURLWithPath: b))
        let archive = root + "/x.tar"
        try TarArchive.write([("one.bin", a), ("sub/empty.bin", b)], to: archive)
        #expect(((try FileManager.default.attributesOfItem(atPath: archive)[.size]) as? NSNumber)?.intValue == 512 + 1536 + 512 + 1024)
        let out = root + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let names = try TarArchive.extract(archive, into: out) { $0 }
        #expect(names == ["one.bin", "sub/empty.bin"])
        #expect(FileManager.default.contents(atPath: out + "/one.bin") == FileManager.default.contents(atPath: a))
        #expect(FileManager.default.contents(atPath: out + "/sub/empty.bin") == Data())

        try TarArchive.write([("../escape", a)], to: root + "/evil.tar")
        #expect(throws: TarArchive.Damaged.self) { try TarArchive.extract(root + "/evil.tar", into: out) { UnpackedBackup.allowedName($0) ? $0 : nil } }
        #expect(!FileManager.default.fileExists(atPath: root + "/escape"))
        #expect(throws: TarArchive.Damaged.self) { try TarArchive.write([(String(repeating: "n", count: 101), a)], to: root + "/long.tar") }
        for name in ["manifest.json", "database.sqlite", "database.pgdump", "media/img_01m840rp9sd8jtna88g7305w7r.png"] {
            #expect(UnpackedBackup.allowedName(name), "\(name)")
        }
        for name in ["media/../x.png", "media/x.png", "database.sql", "/etc/passwd", "media/img_01m840rp9sd8jtna88g7305w7r.png/x"] {
            #expect(!UnpackedBackup.allowedName(name), "\(name)")
        }
    }
}
