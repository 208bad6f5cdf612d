import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// A named set of permissions staff members are given (e.g. "Fulfilment": fulfillments only).
public struct StaffRole: Sendable, Encodable, Equatable {
    public let id: String
    public let name: String
    public let permissions: [StaffPermission]
    public let createdAt: String
    public let updatedAt: String
}

/// What creates or changes a role: a name of 1 to 60 characters and permission names.
public struct StaffRoleInput: Decodable, Sendable {
    public var name: String?
    public var permissions: [String]?

    public init(name: String? = nil, permissions: [String]? = nil) {
        self.name = name
        self.permissions = permissions
    }
}

/// A store's staff roles. Only the owner manages them (a member who could would give themself
/// everything); every change is in the audit log.
public struct StaffRoles: Sendable {
    /// The role migration 0020 gives every staff member from before roles, with what they could do.
    public static let defaultRoleID = "role_staff"
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    public func create(_ input: StaffRoleInput, actor: String, now: Date = Date()) async throws -> StaffRole {
        let (name, permissions) = try Self.validate(input, current: nil)
        let role = StaffRole(id: Identifier.make("role", date: now), name: name, permissions: permissions.sorted(), createdAt: now.stamp, updatedAt: now.stamp)
        try await write(name: name) { sql in
            try await sql.raw(
                """
                INSERT INTO staff_roles (id, name, permissions, created_at, updated_at)
                VALUES (\(bind: role.id), \(bind: name), \(bind: StaffPermission.stored(permissions)), \(bind: role.createdAt), \(bind: role.updatedAt))
                """
            ).run()
            try await AuditLog.record(actor: actor, action: "role.created", subject: role.id, summary: Self.describe(role), now: now, on: sql)
        }
        return role
    }

    /// Changes the fields given; members holding the role get the new permissions at once.
    public func update(id: String, _ input: StaffRoleInput, actor: String, now: Date = Date()) async throws -> StaffRole {
        guard let current = try await find(id: id) else { throw Self.notFound(id) }
        let (name, permissions) = try Self.validate(input, current: current)
        let role = StaffRole(id: id, name: name, permissions: permissions.sorted(), createdAt: current.createdAt, updatedAt: now.stamp)
        try await write(name: name) { sql in
            try await sql.raw(
                """
                UPDATE staff_roles SET name = \(bind: name), permissions = \(bind: StaffPermission.stored(permissions)), updated_at = \(bind: now.stamp)
                WHERE id = \(bind: id)
                """
            ).run()
            try await AuditLog.record(actor: actor, action: "role.updated", subject: id, summary: Self.describe(role), now: now, on: sql)
        }
        return role
    }

    /// Deletes a role nobody holds; a role still given to someone is a 409.
    public func delete(id: String, actor: String, now: Date = Date()) async throws {
        try await database.write { sql in
            guard let row = try await sql.raw("SELECT name FROM staff_roles WHERE id = \(bind: id)" + database.rowLock).first() else {
                throw Self.notFound(id)
            }
            if try await sql.raw("SELECT id FROM staff_members WHERE role_id = \(bind: id) LIMIT 1").first() != nil {
                throw Problem.conflict("Staff members hold this role: give them another one first.")
            }
            try await sql.raw("DELETE FROM staff_roles WHERE id = \(bind: id)").run()
            let name = try row.decode(column: "name", as: String.self)
            try await AuditLog.record(actor: actor, action: "role.deleted", subject: id, summary: "Deleted the role \(name)", now: now, on: sql)
        }
    }

    public func find(id: String) async throws -> StaffRole? {
        guard id.utf8.count <= 64 else { return nil }
        return try await database.read { sql in try await Self.find(id: id, on: sql) }
    }

    static func find(id: String, on sql: any SQLDatabase) async throws -> StaffRole? {
        try await sql.raw("SELECT id, name, permissions, created_at, updated_at FROM staff_roles WHERE id = \(bind: id)").first().map(role)
    }

    public func list(page: PageRequest) async throws -> Page<StaffRole> {
        try await database.read { sql in
            let rows = try await sql.raw(
                "SELECT id, name, permissions, created_at, updated_at FROM staff_roles WHERE id > \(bind: page.after ?? "") ORDER BY id LIMIT \(bind: page.limit + 1)"
            ).all()
            return Page(fetched: try rows.map(Self.role), limit: page.limit, position: \.id)
        }
    }

    static func role(_ row: any SQLRow) throws -> StaffRole {
        StaffRole(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            permissions: StaffPermission.parse(stored: try row.decode(column: "permissions", as: String.self)).sorted(),
            createdAt: try row.decode(column: "created_at", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: String.self))
    }

    static func notFound(_ id: String) -> Problem { Problem.notFound("There is no role \(id.prefix(64)).") }

    static func describe(_ role: StaffRole) -> String {
        "\(role.name): " + (role.permissions.isEmpty ? "no permissions" : role.permissions.map(\.rawValue).joined(separator: ", "))
    }

    static func validate(_ input: StaffRoleInput, current: StaffRole?) throws -> (String, Set<StaffPermission>) {
        var errors: [Problem.FieldError] = []
        let name = (input.name ?? current?.name ?? "").trimmingWhitespace()
        if name.isEmpty || name.count > 60 || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.append(.init(field: "name", message: "must be 1 to 60 characters"))
        }
        var permissions = Set(current?.permissions ?? [])
        if let names = input.permissions {
            do {
                permissions = try StaffPermission.parse(names, field: "permissions")
            } catch let problem as Problem {
                errors += problem.errors
            }
        } else if current == nil {
            errors.append(.init(field: "permissions", message: "is required (an empty list gives none)"))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return (name, permissions)
    }

    private func write(name: String, _ body: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws {
        do {
            try await database.write { sql in try await body(sql) }
        } catch  where DatabaseErrors.isUniqueViolation(error) {
            throw Problem.conflict("Another role is called \(name).", errors: [.init(field: "name", message: "is taken")])
        }
    }
}
