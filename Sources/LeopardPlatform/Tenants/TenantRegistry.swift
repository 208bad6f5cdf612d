import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// The `tenants` table of the platform database.
public struct TenantRegistry: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public struct SlugTaken: Error, Equatable {
        public let slug: String
    }

    static let columns =
        "id, slug, store_name, owner_email, status, storage, database_name, database_role, database_secret, created_at, updated_at, deleted_at, dedicated, pod, move_target"

    /// The store's pod has no room left (signups at the same moment filled it), or is gone.
    public struct PodFull: Error, Equatable {
        public let pod: String
    }

    /// Inserts a tenant in `provisioning`: this reserves the slug. A store placed on a pod is
    /// inserted only while the pod has room, checked under a lock on the pod's row, so that a
    /// burst of signups cannot fill a pod past its `max_stores`.
    public func reserve(_ tenant: Tenant) async throws {
        do {
            if let pod = tenant.database.pod {
                let lock = database.rowLock
                try await database.write { sql in
                    let limit = try await sql.raw("SELECT max_stores FROM pods WHERE name = \(bind: pod)\(lock)").first()?
                        .decode(column: "max_stores", as: Int.self)
                    let stores =
                        try await sql.raw("SELECT COUNT(*) AS n FROM tenants WHERE pod = \(bind: pod)").first()?
                        .decode(column: "n", as: Int.self) ?? 0
                    guard let limit, stores < limit else { throw PodFull(pod: pod) }
                    try await Self.insert(tenant, sql)
                }
            } else {
                try await database.writeStatement { sql in try await Self.insert(tenant, sql) }
            }
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            throw SlugTaken(slug: tenant.slug)
        }
    }

    /// Inserts the row in the caller's transaction (a signup that claims a spare database in the
    /// same platform write).
    static func insert(_ tenant: Tenant, _ sql: any SQLDatabase) async throws {
        try await sql.raw("INSERT INTO tenants (\(unsafeRaw: Self.columns)) VALUES \(try Self.values(tenant))").run()
    }

    /// Inserts the rows whose slugs are free, in one statement, in the caller's transaction;
    /// returns the ids inserted. A row whose slug is taken (before, or by an earlier row of the
    /// same call) is left out.
    static func insert(_ tenants: [Tenant], skippingTakenSlugs sql: any SQLDatabase) async throws -> Set<String> {
        guard !tenants.isEmpty else { return [] }
        let rows = try tenants.map(Self.values).joined(separator: ", ")
        let inserted = try await sql.raw("INSERT INTO tenants (\(unsafeRaw: Self.columns)) VALUES \(rows) ON CONFLICT (slug) DO NOTHING RETURNING id").all()
        return Set(try inserted.map { try $0.decode(column: "id", as: String.self) })
    }

    private static func values(_ tenant: Tenant) throws -> SQLQueryString {
        """
        (\(bind: tenant.id), \(bind: tenant.slug), \(bind: tenant.storeName), \(bind: tenant.ownerEmail),
        \(bind: tenant.status.rawValue), \(bind: tenant.database.kind.rawValue), \(bind: tenant.database.name),
        \(bind: tenant.database.role), \(bind: tenant.database.sealedPassword),
        \(bind: Timestamp.string(tenant.createdAt)), \(bind: Timestamp.string(tenant.updatedAt)), \(bind: tenant.deletedAt.map(Timestamp.string)),
        \(bind: tenant.dedicated ? 1 : 0), \(bind: tenant.database.pod), \(bind: try tenant.moveTarget.map(Self.encode)))
        """
    }

    /// Activates the stores among `ids` that are still being provisioned, in one statement, in
    /// the caller's transaction; returns them as they are now.
    static func activate(_ ids: [String], now: Date, _ sql: any SQLDatabase) async throws -> [Tenant] {
        guard !ids.isEmpty else { return [] }
        return try await sql.raw(
            """
            UPDATE tenants SET status = 'active', updated_at = \(bind: Timestamp.string(now)), deleted_at = NULL
            WHERE status = 'provisioning' AND id IN (\(binds: ids)) RETURNING \(unsafeRaw: Self.columns)
            """
        ).all().map(Self.decode)
    }

    /// Removes the row for good (saga compensation and purge).
    public func remove(id: String) async throws {
        try await database.writeStatement { sql in
            try await sql.raw("DELETE FROM tenants WHERE id = \(bind: id)").run()
        }
    }

    /// Removes the row only if the tenant is in `status` and not being moved, atomically; returns what was removed.
    /// Purge claims a store this way, so a concurrent restore cannot lose its database.
    public func remove(id: String, ifStatus status: TenantStatus) async throws -> Tenant? {
        try await database.writeStatement { sql in
            // Never while a move is recorded: its copy would be left on the other server.
            try await sql.raw(
                "DELETE FROM tenants WHERE id = \(bind: id) AND status = \(bind: status.rawValue) AND move_target IS NULL RETURNING \(unsafeRaw: Self.columns)"
            ).first().map(Self.decode)
        }
    }

    public func find(id: String) async throws -> Tenant? {
        try await database.read { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM tenants WHERE id = \(bind: id)").first().map(Self.decode)
        }
    }

    public func find(slug: String) async throws -> Tenant? {
        try await database.read { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM tenants WHERE slug = \(bind: slug)").first().map(Self.decode)
        }
    }

    /// Looks a tenant up by id (`ten_…`) or by slug.
    public func find(idOrSlug: String) async throws -> Tenant? {
        if Identifier.isWellFormed(idOrSlug, prefix: "ten") {
            return try await find(id: idOrSlug)
        }
        return try await find(slug: idOrSlug)
    }

    /// A page of tenants in creation order, optionally of one status.
    public func list(status: TenantStatus?, page: PageRequest) async throws -> Page<Tenant> {
        let rows = try await database.read { sql in
            var query = SQLQueryString("SELECT \(unsafeRaw: Self.columns) FROM tenants WHERE 1 = 1")
            if let status { query += " AND status = \(bind: status.rawValue)" }
            if let after = page.after { query += " AND id > \(bind: after)" }
            query += " ORDER BY id LIMIT \(bind: page.limit + 1)"
            return try await sql.raw(query).all()
        }
        return Page(fetched: try rows.map(Self.decode), limit: page.limit, position: \.id)
    }

    /// Moves a tenant to `status` when it is in one of `from`. Returns the tenant after the
    /// change, or nil when it was not in one of those states (or does not exist).
    public func transition(id: String, from: Set<TenantStatus>, to status: TenantStatus, now: Date = Date()) async throws -> Tenant? {
        try await database.writeStatement { sql in
            var query = SQLQueryString("UPDATE tenants SET status = \(bind: status.rawValue), updated_at = \(bind: Timestamp.string(now))")
            switch status {
            case .deleted: query += ", deleted_at = \(bind: Timestamp.string(now))"
            default: query += ", deleted_at = NULL"
            }
            query += " WHERE id = \(bind: id) AND status IN (\(binds: from.map(\.rawValue).sorted())) RETURNING \(unsafeRaw: Self.columns)"
            return try await sql.raw(query).first().map(Self.decode)
        }
    }

    /// Marks a store as served by an instance of its own, or back on the shared instances.
    /// Returns the tenant after the change; nil when there is no such store (or it is being created).
    public func setDedicated(id: String, _ dedicated: Bool, now: Date = Date()) async throws -> Tenant? {
        try await database.writeStatement { sql in
            try await sql.raw(
                """
                UPDATE tenants SET dedicated = \(bind: dedicated ? 1 : 0), updated_at = \(bind: Timestamp.string(now))
                WHERE id = \(bind: id) AND status <> 'provisioning' RETURNING \(unsafeRaw: Self.columns)
                """
            ).first().map(Self.decode)
        }
    }

    /// Points a tenant at another database (a restore), only while it is in one of `statuses`,
    /// still at `old` (same server and database: two restores at once, one wins and the other
    /// learns it lost) and not being moved. Returns the tenant after the change, or nil.
    public func relocate(
        id: String, from old: TenantDatabaseLocation, to location: TenantDatabaseLocation, ifStatus statuses: Set<TenantStatus>, now: Date = Date()
    ) async throws -> Tenant? {
        let allowed = statuses.map(\.rawValue).sorted()
        return try await database.writeStatement { sql in
            try await sql.raw(
                """
                UPDATE tenants SET \(Self.locationAssignments(location)), updated_at = \(bind: Timestamp.string(now))
                WHERE id = \(bind: id) AND \(Self.isAt(old)) AND move_target IS NULL AND status IN (\(binds: allowed)) RETURNING \(unsafeRaw: Self.columns)
                """
            ).first().map(Self.decode)
        }
    }

    /// The statuses a store can be moved in: any but unfinished.
    public static let movable: Set<TenantStatus> = [.active, .suspended, .deleted]

    /// Starts a move: records `target` on a store that is at `old` and not being moved already,
    /// which makes it read-only everywhere. Returns the tenant, or nil when another move or a
    /// restore got there first (or the store is gone or unfinished).
    public func beginMove(id: String, from old: TenantDatabaseLocation, to target: TenantDatabaseLocation, now: Date = Date()) async throws -> Tenant? {
        let allowed = Self.movable.map(\.rawValue).sorted()
        let encoded = try Self.encode(target)
        return try await database.writeStatement { sql in
            try await sql.raw(
                """
                UPDATE tenants SET move_target = \(bind: encoded), updated_at = \(bind: Timestamp.string(now))
                WHERE id = \(bind: id) AND \(Self.isAt(old)) AND move_target IS NULL AND status IN (\(binds: allowed)) RETURNING \(unsafeRaw: Self.columns)
                """
            ).first().map(Self.decode)
        }
    }

    /// Ends a move by pointing the store at its copy, which makes it writable again. Returns the
    /// tenant, or nil when the store is no longer at `old` with this move in progress (purged, or
    /// the move was aborted meanwhile).
    public func finishMove(id: String, from old: TenantDatabaseLocation, to target: TenantDatabaseLocation, now: Date = Date()) async throws -> Tenant? {
        let encoded = try Self.encode(target)
        return try await database.writeStatement { sql in
            try await sql.raw(
                """
                UPDATE tenants SET \(Self.locationAssignments(target)), move_target = NULL, updated_at = \(bind: Timestamp.string(now))
                WHERE id = \(bind: id) AND \(Self.isAt(old)) AND move_target = \(bind: encoded) RETURNING \(unsafeRaw: Self.columns)
                """
            ).first().map(Self.decode)
        }
    }

    /// Gives a move up: the store stays where it is and is writable again. Returns the tenant, or
    /// nil when that move is not in progress. Without a target, whatever move is recorded (one
    /// whose record cannot be read).
    public func cancelMove(id: String, target: TenantDatabaseLocation?, now: Date = Date()) async throws -> Tenant? {
        let encoded = try target.map(Self.encode)
        return try await database.writeStatement { sql in
            var query = SQLQueryString("UPDATE tenants SET move_target = NULL, updated_at = \(bind: Timestamp.string(now)) WHERE id = \(bind: id)")
            if let encoded {
                query += " AND move_target = \(bind: encoded)"
            } else {
                query += " AND move_target IS NOT NULL"
            }
            query += " RETURNING \(unsafeRaw: Self.columns)"
            return try await sql.raw(query).first().map(Self.decode)
        }
    }

    static func locationAssignments(_ location: TenantDatabaseLocation) -> SQLQueryString {
        """
        storage = \(bind: location.kind.rawValue), database_name = \(bind: location.name), database_role = \(bind: location.role), \
        database_secret = \(bind: location.sealedPassword), pod = \(bind: location.pod)
        """
    }

    /// The row is at `location`: the same server and the same database.
    static func isAt(_ location: TenantDatabaseLocation) -> SQLQueryString {
        "database_name = \(bind: location.name) AND COALESCE(pod, '') = \(bind: location.pod ?? "")"
    }

    /// A location as stored in `move_target`: JSON with sorted keys, so the same location always
    /// gives the same text.
    static func encode(_ location: TenantDatabaseLocation) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(location), as: UTF8.self)
    }

    /// Every tenant (of one status, if given), page by page: for `leopard migrate`, the sweep
    /// of unfinished signups and the audit.
    public func all(status: TenantStatus? = nil) async throws -> [Tenant] {
        var result: [Tenant] = []
        var page = PageRequest(limit: PageRequest.maximumLimit)
        while true {
            let batch = try await list(status: status, page: page)
            result += batch.data
            guard let next = batch.nextCursor, let after = Cursor.decode(next) else { return result }
            page = PageRequest(limit: PageRequest.maximumLimit, after: after)
        }
    }

    public func count(status: TenantStatus? = nil) async throws -> Int {
        try await database.read { sql -> Int in
            var query = SQLQueryString("SELECT COUNT(*) AS n FROM tenants")
            if let status { query += " WHERE status = \(bind: status.rawValue)" }
            guard let row = try await sql.raw(query).first() else { return 0 }
            return try row.decode(column: "n", as: Int.self)
        }
    }

    static func decode(_ row: any SQLRow) throws -> Tenant {
        let kind = DatabaseKind(rawValue: try row.decode(column: "storage", as: String.self)) ?? .sqlite
        let status = TenantStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .provisioning
        // Read-only whenever a move is recorded, even one whose record this version cannot read.
        let move = try row.decode(column: "move_target", as: String?.self)
        return Tenant(
            id: try row.decode(column: "id", as: String.self),
            slug: try row.decode(column: "slug", as: String.self),
            storeName: try row.decode(column: "store_name", as: String.self),
            ownerEmail: try row.decode(column: "owner_email", as: String.self),
            status: status,
            database: TenantDatabaseLocation(
                kind: kind,
                name: try row.decode(column: "database_name", as: String.self),
                role: try row.decode(column: "database_role", as: String?.self),
                sealedPassword: try row.decode(column: "database_secret", as: String?.self),
                pod: try row.decode(column: "pod", as: String?.self)
            ),
            createdAt: Timestamp.date(try row.decode(column: "created_at", as: String.self)) ?? Date(timeIntervalSince1970: 0),
            updatedAt: Timestamp.date(try row.decode(column: "updated_at", as: String.self)) ?? Date(timeIntervalSince1970: 0),
            deletedAt: try row.decode(column: "deleted_at", as: String?.self).flatMap(Timestamp.date),
            dedicated: try row.decode(column: "dedicated", as: Int.self) != 0,
            moveTarget: move.flatMap { try? JSONDecoder().decode(TenantDatabaseLocation.self, from: Data($0.utf8)) },
            isReadOnly: move != nil
        )
    }
}
