import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// One run of the provisioning saga, as written to `provisioning_attempts`.
public struct ProvisioningAttempt: Sendable, Codable, Equatable {
    public struct StepTiming: Sendable, Codable, Equatable {
        public var step: ProvisioningStep
        public var microseconds: Int64
        public var succeeded: Bool
    }

    public var id: String
    public var tenantID: String
    public var slug: String
    public var succeeded: Bool
    public var failedStep: ProvisioningStep?
    public var error: String?
    public var steps: [StepTiming]
    public var totalMicroseconds: Int64
    public var startedAt: Date
}

/// The provisioning log in the platform database.
public struct ProvisioningLog: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public func record(_ attempt: ProvisioningAttempt) async throws {
        try await database.writeStatement { sql in try await Self.insert([attempt], sql) }
    }

    /// Writes `attempts` in one statement, in the caller's transaction (successful signups' log
    /// entries go in the same platform write as their activation).
    static func insert(_ attempts: [ProvisioningAttempt], _ sql: any SQLDatabase) async throws {
        guard !attempts.isEmpty else { return }
        let encoder = JSONEncoder()
        let rows: [SQLQueryString] = try attempts.map { attempt in
            let steps = String(decoding: try encoder.encode(attempt.steps), as: UTF8.self)
            return """
                (\(bind: attempt.id), \(bind: attempt.tenantID), \(bind: attempt.slug), \(bind: attempt.succeeded ? "succeeded" : "failed"),
                \(bind: attempt.failedStep?.rawValue), \(bind: attempt.error), \(bind: steps), \(bind: attempt.totalMicroseconds), \(bind: Timestamp.string(attempt.startedAt)))
                """
        }
        try await sql.raw(
            """
            INSERT INTO provisioning_attempts (id, tenant_id, slug, outcome, failed_step, error, steps, total_microseconds, started_at)
            VALUES \(rows.joined(separator: ", "))
            """
        ).run()
    }

    /// The most recent attempts, newest first.
    public func recent(limit: Int = 20) async throws -> [ProvisioningAttempt] {
        let rows = try await database.read { sql in
            try await sql.raw(
                "SELECT id, tenant_id, slug, outcome, failed_step, error, steps, total_microseconds, started_at FROM provisioning_attempts ORDER BY started_at DESC, id DESC LIMIT \(bind: limit)"
            ).all()
        }
        return try rows.map { row in
            let steps = try JSONDecoder().decode([ProvisioningAttempt.StepTiming].self, from: Data(try row.decode(column: "steps", as: String.self).utf8))
            return ProvisioningAttempt(
                id: try row.decode(column: "id", as: String.self),
                tenantID: try row.decode(column: "tenant_id", as: String.self),
                slug: try row.decode(column: "slug", as: String.self),
                succeeded: try row.decode(column: "outcome", as: String.self) == "succeeded",
                failedStep: try row.decode(column: "failed_step", as: String?.self).flatMap(ProvisioningStep.init(rawValue:)),
                error: try row.decode(column: "error", as: String?.self),
                steps: steps,
                totalMicroseconds: try row.decode(column: "total_microseconds", as: Int64.self),
                startedAt: Timestamp.date(try row.decode(column: "started_at", as: String.self)) ?? Date(timeIntervalSince1970: 0)
            )
        }
    }
}
