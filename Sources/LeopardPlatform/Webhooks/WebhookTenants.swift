import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// The stores that have had a webhook endpoint: the only ones the delivery worker looks into.
/// A store is added before its first endpoint is written (so a crash in between leaves, at
/// worst, a store the worker finds nothing in) and removed when it is purged.
public struct WebhookTenants: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public func add(tenantID: String, now: Date = Date()) async throws {
        try await database.write { sql in
            try await sql.raw(
                "INSERT INTO webhook_tenants (tenant_id, created_at) VALUES (\(bind: tenantID), \(bind: now.stamp)) ON CONFLICT (tenant_id) DO NOTHING"
            ).run()
        }
    }

    public func remove(tenantID: String) async throws {
        try await database.write { sql in
            try await sql.raw("DELETE FROM webhook_tenants WHERE tenant_id = \(bind: tenantID)").run()
        }
    }

    public func all() async throws -> [String] {
        try await database.read { sql in
            try await sql.raw("SELECT tenant_id FROM webhook_tenants ORDER BY tenant_id").all().map { try $0.decode(column: "tenant_id", as: String.self) }
        }
    }
}
