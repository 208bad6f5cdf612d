import Foundation
import LeopardPlatform
import LeopardStorage
import Logging
import SQLKit

/// Re-seals every sealed value under the current platform key: store database passwords in the
/// registry and the warm pool, then each store's payment provider keys and webhook signing
/// secrets. Values already sealed with the current key are left alone, so a rotation that stopped
/// half-way simply runs again. Needs a key ring that still opens the old values (see
/// `SecretBox.beginRotation`).
public struct KeyRotation: Sendable {
    let services: PlatformServices

    public init(services: PlatformServices) {
        self.services = services
    }

    public struct Report: Sendable {
        public var resealed = 0
        public var stores = 0
        public var failed: [(tenantID: String, error: String)] = []
    }

    struct MoveInProgress: Error, CustomStringConvertible {
        let count: Int
        var description: String {
            "\(count) store(s) are being moved to another server; their copies' passwords are sealed in the move: let the moves finish (or abort them) first"
        }
    }

    public func resealAll() async throws -> Report {
        var report = Report()
        let secrets = services.secrets
        let moving = try await services.platformDatabase.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM tenants WHERE move_target IS NOT NULL").first()?.decode(column: "n", as: Int.self) ?? 0
        }
        guard moving == 0 else { throw MoveInProgress(count: moving) }
        report.resealed += try await reseal(services.platformDatabase, table: "tenants", key: "id", columns: ["database_secret"], secrets: secrets)
        report.resealed += try await reseal(services.platformDatabase, table: "spare_databases", key: "name", columns: ["sealed_password"], secrets: secrets)
        report.resealed += try await reseal(services.platformDatabase, table: "pods", key: "name", columns: ["sealed_url"], secrets: secrets)
        for tenant in try await services.registry.all() where tenant.status != .provisioning {
            do {
                let count = try await services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                    try await reseal(
                        database, table: "provider_credentials", key: "provider", columns: ["secret_key_sealed", "webhook_secret_sealed"], secrets: secrets)
                        + reseal(database, table: "webhook_endpoints", key: "id", columns: ["secret_sealed"], secrets: secrets)
                }
                report.resealed += count
                report.stores += 1
            } catch {
                services.logger.error(
                    "key rotation could not re-seal a store's secrets",
                    metadata: ["tenant": .string(tenant.id), "error": .string(DatabaseErrors.summary(error))])
                report.failed.append((tenant.id, DatabaseErrors.summary(error)))
            }
        }
        return report
    }

    /// Re-seals the non-null values of `columns` in `table` that the current key does not open,
    /// in one transaction; returns how many values changed.
    private func reseal(_ database: any DatabaseHandle, table: String, key: String, columns: [String], secrets: SecretBox) async throws -> Int {
        let table = try SafeIdentifier(table)
        let key = try SafeIdentifier(key)
        let columns = try columns.map { try SafeIdentifier($0) }
        return try await database.write { sql in
            let rows = try await sql.raw("SELECT \(unsafeRaw: ([key] + columns).map(\.quoted).joined(separator: ", ")) FROM \(unsafeRaw: table.quoted)").all()
            var changed = 0
            for row in rows {
                let id = try row.decode(column: key.value, as: String.self)
                for column in columns {
                    guard let sealed = try row.decode(column: column.value, as: String?.self), !secrets.isSealedWithCurrentKey(sealed) else { continue }
                    let resealed = try secrets.seal(try secrets.open(sealed))
                    try await sql.raw(
                        "UPDATE \(unsafeRaw: table.quoted) SET \(unsafeRaw: column.quoted) = \(bind: resealed) WHERE \(unsafeRaw: key.quoted) = \(bind: id)"
                    ).run()
                    changed += 1
                }
            }
            return changed
        }
    }
}
