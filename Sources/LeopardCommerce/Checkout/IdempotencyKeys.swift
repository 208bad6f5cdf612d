import Crypto
import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Stripe's idempotency semantics for writes that create orders (and, later, payments): the
/// first request with a key stores its status and body, in the same transaction as its effect;
/// a retry with the same key and request gets them back; the same key with another request is a
/// 422. Failures the operation reports (a 409 for stock, say) are stored and replayed too.
public struct IdempotencyKeys: Sendable {
    public static let maximumKeyLength = 255
    /// Kept for a week (Stripe: at least 24 hours).
    public static let retention: TimeInterval = 7 * 24 * 3600

    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public struct Stored: Sendable, Equatable {
        public let status: Int
        public let body: String
        public let replayed: Bool

        /// The stored problem of a request that failed; nil for a success. (`try?`: a body
        /// that is not a stored problem is a success's own body.)
        public var problem: Problem? {
            guard status >= 400, let stored = try? JSONDecoder().decode(StoredProblem.self, from: Data(body.utf8)) else { return nil }
            return Problem(status: stored.status, type: stored.type, title: stored.title, detail: stored.detail, errors: stored.errors)
        }
    }

    /// A problem as a stored response body, replayed as the same problem.
    public static func problemBody(_ problem: Problem) throws -> String {
        try JSONText.encode(StoredProblem(status: problem.status, type: problem.type, title: problem.title, detail: problem.detail, errors: problem.errors))
    }

    /// A stored failure, replayed as the same problem.
    struct StoredProblem: Codable {
        let status: Int
        let type: String
        let title: String
        let detail: String?
        let errors: [Problem.FieldError]
    }

    /// Whether `key` is acceptable: 1–255 visible ASCII characters.
    public static func validate(_ key: String) throws(Problem) {
        guard !key.isEmpty, key.utf8.count <= maximumKeyLength, key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw Problem.invalid("Idempotency-Key", "must be 1 to 255 visible ASCII characters")
        }
    }

    /// The key as stored: the client's key under a digest of who sent it (the staff member, the
    /// customer, the cart secret presented). A replay must come with the same authorization as
    /// the first request; anyone else's request with the same key is a new request, which their
    /// own authorization then decides, and never sees the stored answer.
    /// Who sends a request, for `scoped`: the staff member, the customer and the cart secret it presents.
    public static func caller(staffID: String?, customerID: String?, cartSecret: String?) -> String {
        ["staff:" + (staffID ?? ""), "customer:" + (customerID ?? ""), "cart:" + (cartSecret ?? "")].joined(separator: "\n")
    }

    public static func scoped(_ key: String, caller: String) -> String {
        let digest = Hex.encode(SHA256.hash(data: Data(caller.utf8)).prefix(16))
        return digest + "/" + key
    }

    /// The fingerprint of a request: method, path and body. A JSON body is compared by
    /// meaning (keys sorted, spacing ignored), as Stripe compares parameters, not bytes.
    public static func fingerprint(method: String, path: String, body: some Sequence<UInt8>) -> String {
        var bytes = Data(body)
        if let object = try? JSONSerialization.jsonObject(with: bytes, options: [.fragmentsAllowed]),
            let canonical = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
        {
            bytes = canonical
        }
        var hasher = SHA256()
        hasher.update(data: Data("\(method) \(path)\n".utf8))
        hasher.update(data: bytes)
        return Hex.encode(hasher.finalize())
    }

    /// Runs `operation` in a write transaction unless `key` was seen; stores its result with it.
    /// `operation` returns the status and JSON body to answer with.
    public func perform(
        key: String, fingerprint: String, now: Date = Date(),
        _ operation: @escaping @Sendable (any SQLDatabase) async throws -> (status: Int, body: String)
    ) async throws -> Stored {
        for _ in 0..<2 {
            // Look on a reader first: a replay never takes the writer. A request with the same
            // key racing this one is caught by the key's primary key when both insert it.
            if let stored = try await database.read({ sql in try await Self.lookup(key: key, fingerprint: fingerprint, on: sql) }) {
                return stored
            }
            do {
                return try await database.write { sql in
                    let (status, body) = try await operation(sql)
                    try await Self.insert(key: key, fingerprint: fingerprint, status: status, body: body, now: now, on: sql)
                    return Stored(status: status, body: body, replayed: false)
                }
            } catch let problem as Problem where problem.status == 409 && problem.headers["Idempotent-Replayed"] == nil {
                // The operation refused (stock, state): remember the refusal under the key.
                // Validation errors (422) are not stored, so the client can correct and resend.
                try await remember(problem, key: key, fingerprint: fingerprint, now: now)
                throw problem
            } catch  where DatabaseErrors.isUniqueViolation(error) {
                // Another request with this key committed first: replay it on the next pass.
                continue
            }
        }
        guard let stored = try await database.read({ sql in try await Self.lookup(key: key, fingerprint: fingerprint, on: sql) }) else {
            throw Problem.conflict("A request with this Idempotency-Key is in progress; retry.")
        }
        return stored
    }

    /// The stored answer for `key`, when a request with it was completed before (a stored
    /// refusal is thrown again); a 422 when the key came with another request.
    public func replay(key: String, fingerprint: String) async throws -> Stored? {
        try await database.read { sql in try await Self.lookup(key: key, fingerprint: fingerprint, on: sql) }
    }

    private func remember(_ problem: Problem, key: String, fingerprint: String, now: Date) async throws {
        let stored = StoredProblem(status: problem.status, type: problem.type, title: problem.title, detail: problem.detail, errors: problem.errors)
        let body = try JSONText.encode(stored)
        try? await database.write { sql in
            if try await Self.lookup(key: key, fingerprint: fingerprint, on: sql) == nil {
                try await Self.insert(key: key, fingerprint: fingerprint, status: problem.status, body: body, now: now, on: sql)
            }
        }
    }

    static func lookup(key: String, fingerprint: String, on sql: any SQLDatabase) async throws -> Stored? {
        guard let row = try await sql.raw("SELECT request_sha256, status, response_body FROM idempotency_keys WHERE key = \(bind: key)").first() else {
            return nil
        }
        guard try row.decode(column: "request_sha256", as: String.self) == fingerprint else {
            throw Problem.invalid("Idempotency-Key", "was used with a different request; use a new key for a new request")
        }
        let status = try row.decode(column: "status", as: Int.self)
        let body = try row.decode(column: "response_body", as: String.self)
        if status >= 400, let stored = try? JSONText.decode(StoredProblem.self, from: body) {
            throw Problem(
                status: stored.status, type: stored.type, title: stored.title, detail: stored.detail, errors: stored.errors,
                headers: ["Idempotent-Replayed": "true"])
        }
        return Stored(status: status, body: body, replayed: true)
    }

    static func insert(key: String, fingerprint: String, status: Int, body: String, now: Date, on sql: any SQLDatabase) async throws {
        // Expired keys go now and then, not on every write (the write holds the store's writer).
        if Int.random(in: 0..<64) == 0 {
            try await sql.raw("DELETE FROM idempotency_keys WHERE created_at < \(bind: now.addingTimeInterval(-retention).stamp)").run()
        }
        try await sql.raw(
            """
            INSERT INTO idempotency_keys (key, request_sha256, status, response_body, created_at)
            VALUES (\(bind: key), \(bind: fingerprint), \(bind: status), \(bind: body), \(bind: now.stamp))
            """
        ).run()
    }
}
