import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// The `tenant_domains` table: each hostname belongs to at most one store.
public struct DomainRegistry: Sendable {
    public let database: any DatabaseHandle

    /// Domains one store may hold.
    public static let maximumPerStore = 20

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public enum AddOutcome: Sendable, Equatable {
        case added(CustomDomain)
        /// The store already holds it: the same record back.
        case existing(CustomDomain)
        /// Another store holds it.
        case taken
        case tooMany
    }

    static let columns = "hostname, tenant_id, status, token, created_at, verified_at, checked_at, last_error"

    public func add(hostname: String, tenantID: String, now: Date = Date()) async throws -> AddOutcome {
        if let current = try await find(hostname: hostname) {
            return current.tenantID == tenantID ? .existing(current) : .taken
        }
        guard try await count(tenantID: tenantID) < Self.maximumPerStore else { return .tooMany }
        let domain = CustomDomain(hostname: hostname, tenantID: tenantID, status: .pending, token: SecureToken.make(bytes: 18), createdAt: now)
        do {
            try await database.writeStatement { sql in
                try await sql.raw(
                    """
                    INSERT INTO tenant_domains (hostname, tenant_id, status, token, created_at)
                    VALUES (\(bind: domain.hostname), \(bind: tenantID), 'pending', \(bind: domain.token), \(bind: Timestamp.string(now)))
                    """
                ).run()
            }
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            // Someone took it between the look and the insert.
            let current = try await find(hostname: hostname)
            return current?.tenantID == tenantID ? current.map(AddOutcome.existing) ?? .taken : .taken
        }
        return .added(domain)
    }

    public func find(hostname: String) async throws -> CustomDomain? {
        try await database.read { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM tenant_domains WHERE hostname = \(bind: hostname)").first().map(Self.decode)
        }
    }

    /// The store a verified domain serves.
    public func verifiedTenantID(hostname: String) async throws -> String? {
        try await database.read { sql in
            try await sql.raw("SELECT tenant_id FROM tenant_domains WHERE hostname = \(bind: hostname) AND status = 'verified'").first()?
                .decode(column: "tenant_id", as: String.self)
        }
    }

    public func list(tenantID: String, page: PageRequest) async throws -> Page<CustomDomain> {
        let rows = try await database.read { sql in
            var query = SQLQueryString("SELECT \(unsafeRaw: Self.columns) FROM tenant_domains WHERE tenant_id = \(bind: tenantID)")
            if let after = page.after { query += " AND hostname > \(bind: after)" }
            query += " ORDER BY hostname LIMIT \(bind: page.limit + 1)"
            return try await sql.raw(query).all()
        }
        return Page(fetched: try rows.map(Self.decode), limit: page.limit, position: \.hostname)
    }

    func count(tenantID: String) async throws -> Int {
        try await database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM tenant_domains WHERE tenant_id = \(bind: tenantID)").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// Records a check: verified (it stays so) or the reason it failed.
    public func recordCheck(hostname: String, tenantID: String, verified: Bool, error: String?, now: Date = Date()) async throws -> CustomDomain? {
        try await database.writeStatement { sql in
            var query = SQLQueryString("UPDATE tenant_domains SET checked_at = \(bind: Timestamp.string(now)), last_error = \(bind: error)")
            if verified {
                query += ", status = 'verified', verified_at = COALESCE(verified_at, \(bind: Timestamp.string(now)))"
            }
            query += " WHERE hostname = \(bind: hostname) AND tenant_id = \(bind: tenantID) RETURNING \(unsafeRaw: Self.columns)"
            return try await sql.raw(query).first().map(Self.decode)
        }
    }

    /// Removes one of the store's domains; false when it holds no such domain.
    public func remove(hostname: String, tenantID: String) async throws -> Bool {
        try await database.writeStatement { sql in
            try await sql.raw("DELETE FROM tenant_domains WHERE hostname = \(bind: hostname) AND tenant_id = \(bind: tenantID) RETURNING hostname").first()
                != nil
        }
    }

    /// Removes every domain of a store (purge); returns their names.
    @discardableResult
    public func removeAll(tenantID: String) async throws -> [String] {
        try await database.writeStatement { sql in
            try await sql.raw("DELETE FROM tenant_domains WHERE tenant_id = \(bind: tenantID) RETURNING hostname").all().map {
                try $0.decode(column: "hostname", as: String.self)
            }
        }
    }

    static func decode(_ row: any SQLRow) throws -> CustomDomain {
        CustomDomain(
            hostname: try row.decode(column: "hostname", as: String.self),
            tenantID: try row.decode(column: "tenant_id", as: String.self),
            status: CustomDomain.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
            token: try row.decode(column: "token", as: String.self),
            createdAt: Timestamp.date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0),
            verifiedAt: try row.decode(column: "verified_at", as: String?.self).flatMap(Timestamp.date),
            checkedAt: try row.decode(column: "checked_at", as: String?.self).flatMap(Timestamp.date),
            lastError: try row.decode(column: "last_error", as: String?.self)
        )
    }
}
