import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LeopardServer
import Logging
import NIOCore
import Testing

@testable import LeopardOperations

/// A platform for one test: its own data directory (and, on PostgreSQL, its own platform
/// database), services started, and the in-process router to send requests to.
struct TestPlatform: Sendable {
    static let operatorToken = "test-operator-token-\(UUID().uuidString)"

    let services: LeopardServices
    let directory: TemporaryDirectory

    enum Storage: String, Sendable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    /// SQLite, and PostgreSQL when a server can be had: for tests that run on both engines.
    static var storages: [Storage] { PostgresTestCluster.isAvailable ? [.sqlite, .postgres] : [.sqlite] }

    struct StartFailed: Error, CustomStringConvertible {
        let description: String
    }

    static func configuration(directory: TemporaryDirectory, databaseURL: String?) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory.url
        configuration.databaseURL = databaseURL
        configuration.operatorToken = operatorToken
        configuration.signupRateLimit = 0
        configuration.passwordHashCost = 4  // production uses 12; tests stay fast
        configuration.logLevel = .warning
        configuration.allowPrivateWebhookTargets = true
        configuration.spareStores = 0  // the warm pool has tests of its own
        configuration.webhookPollInterval = nil  // tests run the webhook worker's passes themselves
        return configuration
    }

    static func start(
        _ storage: Storage = .sqlite, logger custom: Logger? = nil, configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> TestPlatform {
        let directory = try TemporaryDirectory()
        let url: String? = storage == .postgres ? try await PostgresTestCluster.shared.makeDatabase() : nil
        var configuration = configuration(directory: directory, databaseURL: url)
        configure(&configuration)
        var logger = custom ?? Logger(label: "leopard.test")
        if custom == nil { logger.logLevel = .warning }
        do {
            let services = try await LeopardServices.start(configuration, logger: logger)
            return TestPlatform(services: services, directory: directory)
        } catch {
            directory.remove()
            throw StartFailed(description: "the platform did not start: \(String(reflecting: error))")
        }
    }

    /// Starts a platform, runs `body` with a client on its router, then shuts everything down.
    static func withPlatform<T: Sendable>(
        _ storage: Storage = .sqlite,
        logger: Logger? = nil,
        configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestPlatform, any TestClientProtocol) async throws -> T
    ) async throws -> T {
        // At most a few PostgreSQL platforms at once: each holds pools on the one test cluster.
        if storage == .postgres { await PostgresPlatformSlots.shared.acquire() }
        do {
            let platform = try await start(storage, logger: logger, configure: configure)
            do {
                let result = try await platform.withClient { try await body(platform, $0) }
                await platform.stop()
                if storage == .postgres { await PostgresPlatformSlots.shared.release() }
                return result
            } catch {
                await platform.stop()
                throw error
            }
        } catch {
            if storage == .postgres { await PostgresPlatformSlots.shared.release() }
            throw error
        }
    }

    func withClient<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let app = buildApplication(services)
        return try await app.test(.router) { client in try await body(client) }
    }

    /// Stops this platform's services, keeping its data, and starts them again on the same
    /// data directory and databases: what a restart of `leopard serve` does.
    func restarted() async throws -> TestPlatform {
        await services.shutdown()
        var logger = Logger(label: "leopard.test")
        logger.logLevel = .warning
        return TestPlatform(services: try await LeopardServices.start(services.configuration, logger: logger), directory: directory)
    }

    func stop() async {
        await services.shutdown()
        directory.remove()
    }

    var tenantsDirectory: URL { directory.url.appendingPathComponent("tenants") }

    /// Every file in the stores folder but the template: databases and their -wal and -shm.
    func allStoreFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: tenantsDirectory.path).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Store database files (not the template) in the data directory.
    func storeFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: tenantsDirectory.path).filter { !$0.hasPrefix(".") && $0.hasSuffix(".sqlite") }.sorted()
    }
}

extension HTTPFields {
    static func json(host: String? = nil, extra: [HTTPField.Name: String] = [:]) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let host { fields[HTTPField.Name("Host")!] = host }
        for (name, value) in extra { fields[name] = value }
        return fields
    }

    static var operatorAuth: HTTPFields {
        [.authorization: "Bearer \(TestPlatform.operatorToken)"]
    }

    static func host(_ host: String) -> HTTPFields {
        [HTTPField.Name("Host")!: host]
    }
}

extension TestResponse {
    /// The body as a JSON object. A body that is not one records a test failure (and reads as
    /// empty), so that a check for a field's absence cannot pass on a body that was never JSON.
    func json(sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
        // `try?`: a body that does not parse is reported just below, with what it was.
        guard let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] else {
            Issue.record("the \(status.code) response is not a JSON object: \(String(buffer: body).prefix(200))", sourceLocation: sourceLocation)
            return [:]
        }
        return object
    }

    var json: [String: Any] { json() }

    /// The body decoded as `T` (a test failure, thrown, when it is not).
    func decode<T: Decodable>(_ type: T.Type, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: body))
        } catch {
            Issue.record("the \(status.code) response is not a \(T.self): \(String(buffer: body).prefix(200))", sourceLocation: sourceLocation)
            throw error
        }
    }

    var text: String { String(buffer: body) }

    /// The `field` of each entry in a problem's `errors`.
    var errorFields: [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let errors = object["errors"] as? [[String: Any]]
        else { return [] }
        return errors.compactMap { $0["field"] as? String }
    }
}

extension TestClientProtocol {
    /// `POST /api/tenants` with a JSON body built from the arguments.
    func signup(
        storeName: String, email: String = "owner@example.test", password: String? = "correct horse battery", slug: String? = nil
    ) async throws -> TestResponse {
        var body: [String: String] = ["storeName": storeName, "ownerEmail": email]
        if let password { body["ownerPassword"] = password }
        if let slug { body["slug"] = slug }
        let data = try JSONSerialization.data(withJSONObject: body)
        return try await execute(uri: "/api/tenants", method: .post, headers: .json(), body: ByteBuffer(data: data))
    }

    func post(_ uri: String, json: String, headers: HTTPFields = .json()) async throws -> TestResponse {
        try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }
}

/// A counting semaphore for PostgreSQL test platforms.
actor PostgresPlatformSlots {
    static let shared = PostgresPlatformSlots(slots: 4)
    private var free: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(slots: Int) { free = slots }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { free += 1 } else { waiters.removeFirst().resume() }
    }
}
