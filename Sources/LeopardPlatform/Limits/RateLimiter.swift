import Crypto
import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// A sliding-window limit of `limit` events per `window` per key (a client address, an
/// account), counted in the platform database so that every instance behind a load balancer
/// counts the same events: a client cannot get `limit` tries per instance. Keys are stored as
/// HMAC-SHA256 digests under a key derived from the platform key, never as the addresses or
/// e-mail addresses they name (a plain hash of an IPv4 address is found by trying them all). A limit of 0 allows
/// everything and touches no table.
public struct RateLimiter: Sendable {
    public let name: String
    public let limit: Int
    public let window: TimeInterval
    let database: any DatabaseHandle
    let digestKey: SymmetricKey
    /// Events older than this are deleted now and then, whichever limiter they belong to
    /// (longer than any window in use).
    static let retention: TimeInterval = 86_400

    public init(name: String, limit: Int, window: TimeInterval, database: any DatabaseHandle, digestKey: SymmetricKey) {
        self.digestKey = digestKey
        self.name = name
        self.limit = limit
        self.window = window
        self.database = database
    }

    /// Records an event for `key` unless it is at its limit. Returns nil when allowed, or the
    /// whole seconds to wait. Checking and recording are one transaction (on PostgreSQL under a
    /// lock on the key), so instances racing on one key cannot both take its last event.
    public func attempt(_ key: String, now: Date = Date()) async throws -> Int? {
        guard limit > 0 else { return nil }
        let bucket = bucket(key)
        let limit = limit
        let window = window
        let kind = database.kind
        return try await database.write { sql -> Int? in
            try await Self.lock(bucket, sql, kind: kind)
            if let wait = try await Self.wait(bucket, limit: limit, window: window, now: now, sql) { return wait }
            try await Self.insert(bucket, now: now, sql)
            return nil
        }
    }

    /// A try taken from every key of a sign-in before its password is checked.
    public struct Reservation: Sendable {
        /// Nil when the try was taken; else the whole seconds to wait (nothing was taken).
        public let retryAfter: Int?
        let ref: String
        let buckets: [String]
    }

    /// Takes one event from each of `keys` at once, unless one of them is at its limit: the
    /// check and the count are one transaction (on PostgreSQL under a lock on every key), so
    /// parallel tries cannot all pass a check that none of them has counted yet. A try that
    /// turns out right is given back with `release`.
    public func reserve(_ keys: [String], now: Date = Date()) async throws -> Reservation {
        let ref = SecureToken.make(bytes: 12)
        guard limit > 0, !keys.isEmpty else { return Reservation(retryAfter: nil, ref: ref, buckets: []) }
        let kind = database.kind
        let limit = limit
        let window = window
        let buckets = keys.map(bucket).sorted()  // one order of locks: no two transactions wait on each other
        let wait = try await database.write { sql -> Int? in
            var longest: Int?
            for bucket in buckets {
                try await Self.lock(bucket, sql, kind: kind)
                if let wait = try await Self.wait(bucket, limit: limit, window: window, now: now, sql) { longest = max(longest ?? 0, wait) }
            }
            if longest != nil { return longest }
            for bucket in buckets { try await Self.insert(bucket, now: now, ref: ref, sql) }
            return nil
        }
        return Reservation(retryAfter: wait, ref: ref, buckets: wait == nil ? buckets : [])
    }

    /// Gives a reserved try back (the password was right).
    public func release(_ reservation: Reservation) async throws {
        guard !reservation.buckets.isEmpty else { return }
        try await database.write { sql in
            for bucket in reservation.buckets {
                try await sql.raw("DELETE FROM rate_limit_events WHERE bucket = \(bind: bucket) AND ref = \(bind: reservation.ref)").run()
            }
        }
    }

    func bucket(_ key: String) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Data("\(name)\u{0}\(key)".utf8), using: digestKey))
    }

    private static func lock(_ bucket: String, _ sql: any SQLDatabase, kind: DatabaseKind) async throws {
        guard kind == .postgres else { return }  // SQLite writes one at a time anyway
        try await sql.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: bucket)))").run()
    }

    private static func wait(_ bucket: String, limit: Int, window: TimeInterval, now: Date, _ sql: any SQLDatabase) async throws -> Int? {
        // The oldest event that keeps the key at its limit: once it leaves the window, one more is allowed.
        let rows = try await sql.raw(
            """
            SELECT at FROM rate_limit_events WHERE bucket = \(bind: bucket) AND at > \(bind: now.addingTimeInterval(-window).stamp)
            ORDER BY at DESC LIMIT \(bind: limit)
            """
        ).all()
        guard rows.count >= limit, let last = rows.last, let oldest = Timestamp.date(try last.decode(column: "at", as: String.self)) else { return nil }
        let wait = window - now.timeIntervalSince(oldest)
        return max(1, Int(wait.rounded(.up)))
    }

    private static func insert(_ bucket: String, now: Date, ref: String? = nil, _ sql: any SQLDatabase) async throws {
        try await sql.raw("INSERT INTO rate_limit_events (bucket, at, ref) VALUES (\(bind: bucket), \(bind: now.stamp), \(bind: ref))").run()
        // Now and then, whatever has aged out of every window goes.
        if Int.random(in: 0..<200) == 0 {
            try await sql.raw("DELETE FROM rate_limit_events WHERE at < \(bind: now.addingTimeInterval(-retention).stamp)").run()
        }
    }
}
