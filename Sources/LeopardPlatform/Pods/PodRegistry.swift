import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// The PostgreSQL servers ("pods") store databases may live on, besides the platform's own:
/// the platform table `pods`, each server's URL sealed with the platform key. New stores go to
/// the least-loaded server that has room.
public actor PodRegistry {
    public struct Pod: Sendable, Equatable {
        public let name: String
        public let maxStores: Int
        public let createdAt: Date
    }

    public struct Load: Sendable, Equatable {
        /// nil: the platform's own server.
        public let pod: String?
        public let stores: Int
        public let maxStores: Int?
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    let database: any DatabaseHandle
    let secrets: SecretBox
    private var cached: (pods: [Pod], at: ContinuousClock.Instant)?
    static let cacheLifetime: Duration = .seconds(5)

    public init(database: any DatabaseHandle, secrets: SecretBox) {
        self.database = database
        self.secrets = secrets
    }

    /// Records a pod; the caller has checked that the server answers and has built its template.
    public func add(name: String, url: String, maxStores: Int, now: Date = Date()) async throws -> Pod {
        guard name.utf8.count <= 40, (try? Slug(validating: name)) != nil else {
            throw Invalid(description: "a pod name is 3-40 lower-case letters, digits and single hyphens")
        }
        guard maxStores > 0 else { throw Invalid(description: "--max-stores must be at least 1") }
        _ = try PostgresServer(url: url)
        let sealed = try secrets.seal(url)
        do {
            try await database.writeStatement { sql in
                try await sql.raw(
                    """
                    INSERT INTO pods (name, sealed_url, max_stores, created_at) VALUES (\(bind: name), \(bind: sealed), \(bind: maxStores), \(bind: now.stamp))
                    """
                ).run()
            }
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            throw Invalid(description: "there is a pod named \(name) already")
        }
        cached = nil
        return Pod(name: name, maxStores: maxStores, createdAt: now)
    }

    public func all() async throws -> [Pod] {
        if let cached, ContinuousClock.now - cached.at < Self.cacheLifetime { return cached.pods }
        let pods = try await database.read { sql in
            try await sql.raw("SELECT name, max_stores, created_at FROM pods ORDER BY name").all().map { row in
                Pod(
                    name: try row.decode(column: "name", as: String.self), maxStores: try row.decode(column: "max_stores", as: Int.self),
                    createdAt: Timestamp.date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0))
            }
        }
        cached = (pods, .now)
        return pods
    }

    /// A pod's server (its URL unsealed); nil when there is no such pod.
    public func server(named name: String) async throws -> PostgresServer? {
        guard
            let sealed = try await database.read({ sql in
                try await sql.raw("SELECT sealed_url FROM pods WHERE name = \(bind: name)").first()?.decode(column: "sealed_url", as: String.self)
            })
        else { return nil }
        return try PostgresServer(url: try secrets.open(sealed))
    }

    /// Stores per server, the platform's own first.
    public func load() async throws -> [Load] {
        let pods = try await all()
        let counts = try await database.read { sql in
            var counts: [String: Int] = [:]
            for row in try await sql.raw("SELECT COALESCE(pod, '') AS pod, COUNT(*) AS n FROM tenants GROUP BY COALESCE(pod, '')").all() {
                counts[try row.decode(column: "pod", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
        return [Load(pod: nil, stores: counts[""] ?? 0, maxStores: nil)]
            + pods.map { Load(pod: $0.name, stores: counts[$0.name] ?? 0, maxStores: $0.maxStores) }
    }

    /// The server for a new store: the one with the fewest stores among those with room (the
    /// platform's own on a tie); nil is the platform's own. No pods: nil, with no query.
    public func choose() async throws -> String? {
        guard try await !all().isEmpty else { return nil }
        let candidates = try await load().filter { load in load.maxStores.map { load.stores < $0 } ?? true }
        return candidates.min { $0.stores < $1.stores }?.pod
    }
}
