import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// API keys for programs: `lpk_…`, shown once at creation and stored as a SHA-256 digest. A key
/// holds the permissions of its scopes (keys from before scopes: what staff could do then) and
/// is recorded as its own actor.
public struct ApiKeys: Sendable {
    public static let prefix = "lpk_"
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public struct Key: Sendable, Encodable {
        public let id: String
        public let name: String
        /// The last four characters, to tell keys apart.
        public let hint: String
        public let createdBy: String
        public let createdAt: String
        public let lastUsedAt: String?
        public let revokedAt: String?
        /// The permissions the key holds.
        public let scopes: [StaffPermission]
        /// Only in the response that creates the key.
        public var secret: String?
    }

    public func create(name: String, scopes: Set<StaffPermission>, createdBy: String, creatorStaffID: String?, now: Date = Date()) async throws -> Key {
        let id = Identifier.make("key", date: now)
        let secret = Self.prefix + SecureToken.make()
        let hint = String(secret.suffix(4))
        try await database.write { sql in
            try await sql.raw(
                """
                INSERT INTO api_keys (id, name, secret_sha256, hint, created_by, created_at, scopes, creator_staff_id)
                VALUES (\(bind: id), \(bind: name), \(bind: TokenDigest.hex(secret)), \(bind: hint), \(bind: createdBy), \(bind: now.stamp),
                        \(bind: StaffPermission.stored(scopes)), \(bind: creatorStaffID))
                """
            ).run()
            try await AuditLog.record(
                actor: createdBy, action: "api_key.created", subject: id, summary: "Created the API key \(name) (\(Self.describe(scopes)))", now: now, on: sql)
        }
        return Key(
            id: id, name: name, hint: hint, createdBy: createdBy, createdAt: now.stamp, lastUsedAt: nil, revokedAt: nil, scopes: scopes.sorted(),
            secret: secret)
    }

    public func list(page: PageRequest) async throws -> Page<Key> {
        let after = page.after ?? ""
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT id, name, hint, created_by, created_at, last_used_at, revoked_at, scopes FROM api_keys
                WHERE id > \(bind: after) ORDER BY id LIMIT \(bind: page.limit + 1)
                """
            ).all()
        }
        let keys = try rows.map { row in
            Key(
                id: try row.decode(column: "id", as: String.self),
                name: try row.decode(column: "name", as: String.self),
                hint: try row.decode(column: "hint", as: String.self),
                createdBy: try row.decode(column: "created_by", as: String.self),
                createdAt: try row.decode(column: "created_at", as: String.self),
                lastUsedAt: try row.decode(column: "last_used_at", as: String?.self),
                revokedAt: try row.decode(column: "revoked_at", as: String?.self),
                scopes: Self.scopes(try row.decode(column: "scopes", as: String?.self)).sorted(),
                secret: nil
            )
        }
        return Page(fetched: keys, limit: page.limit, position: { $0.id })
    }

    /// Revokes a key; false when there is no such live key.
    public func revoke(id: String, actor: String, now: Date = Date()) async throws -> Bool {
        try await database.write { sql in
            guard
                let row = try await sql.raw(
                    "UPDATE api_keys SET revoked_at = \(bind: now.stamp) WHERE id = \(bind: id) AND revoked_at IS NULL RETURNING name"
                ).first()
            else { return false }
            let name = try row.decode(column: "name", as: String.self)
            try await AuditLog.record(actor: actor, action: "api_key.revoked", subject: id, summary: "Revoked the API key \(name)", now: now, on: sql)
            return true
        }
    }

    /// A key's permissions: its scopes, or, for a key made before scopes, what staff could do then.
    static func scopes(_ stored: String?) -> Set<StaffPermission> {
        stored.map(StaffPermission.parse(stored:)) ?? StaffPermission.legacyStaff
    }

    /// What the key's maker holds now: a key made by a member who lost a permission (or left)
    /// loses it too. Keys from before makers were recorded were the owner's.
    static func makerHolds(_ row: any SQLRow) throws -> Set<StaffPermission> {
        guard try row.decode(column: "creator_staff_id", as: String?.self) != nil else { return Set(StaffPermission.allCases) }
        switch try row.decode(column: "creator_role", as: String?.self) {
        case StaffPrincipal.Role.owner.rawValue?: return Set(StaffPermission.allCases)
        case nil: return []
        default: return StaffPermission.parse(stored: try row.decode(column: "creator_permissions", as: String?.self) ?? "")
        }
    }

    static func describe(_ scopes: Set<StaffPermission>) -> String {
        scopes.isEmpty ? "no scopes" : "scopes: " + scopes.sorted().map(\.rawValue).joined(separator: ", ")
    }

    /// The key's principal. `recordUse: false` leaves `last_used_at` alone (a store whose
    /// database takes no writes for the moment: the write would wait or fail).
    public func principal(secret: String, now: Date = Date(), recordUse: Bool = true) async throws -> StaffPrincipal? {
        let digest = TokenDigest.hex(secret)
        let row = try await database.read { sql in
            try await sql.raw(
                """
                SELECT k.id, k.secret_sha256, k.last_used_at, k.scopes, k.creator_staff_id, m.role AS creator_role, r.permissions AS creator_permissions
                FROM api_keys k LEFT JOIN staff_members m ON m.id = k.creator_staff_id LEFT JOIN staff_roles r ON r.id = m.role_id
                WHERE k.secret_sha256 = \(bind: digest) AND k.revoked_at IS NULL
                """
            ).first()
        }
        guard let row, TokenDigest.matches(secret, digest: try row.decode(column: "secret_sha256", as: String.self)) else { return nil }
        let id = try row.decode(column: "id", as: String.self)
        // Record use at most once a minute per key: a write per request would serialise readers.
        let lastUsed = try row.decode(column: "last_used_at", as: String?.self)
        if recordUse, lastUsed.flatMap(Timestamp.date).map({ now.timeIntervalSince($0) > 60 }) ?? true {
            let stamp = now.stamp
            // Best effort: a read with a key must not fail because this bookkeeping could not be written.
            try? await database.writeStatement { sql in
                try await sql.raw("UPDATE api_keys SET last_used_at = \(bind: stamp) WHERE id = \(bind: id)").run()
            }
        }
        return StaffPrincipal(
            staffID: id, email: "api-key", role: .staff, credential: .apiKey(id: id),
            permissions: Self.scopes(try row.decode(column: "scopes", as: String?.self)).intersection(try Self.makerHolds(row)))
    }
}
