import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Who may add, change and remove whom. A caller with the `staff` permission manages members
/// whose permissions they hold themselves, and hands out only roles within their own; the owner
/// is never changed or removed here, and only the owner adds another owner.
extension StaffAccounts {
    /// Checks an invitation (every field's error at once), hashes its password if it has one,
    /// and adds the member.
    public func invite(_ invitation: StaffInvitation, by caller: StaffPrincipal, hasher: PasswordHasher, mail: MailSender) async throws -> Member {
        var errors: [Problem.FieldError] = []
        let email = EmailAddress(invitation.email)
        if email == nil { errors.append(.init(field: "email", message: "must be an e-mail address")) }
        let role = StaffPrincipal.Role(rawValue: invitation.role ?? "staff")
        if role == nil { errors.append(.init(field: "role", message: "must be owner or staff")) }
        if let password = invitation.password, let problem = PasswordHasher.problem(with: password) {
            errors.append(.init(field: "password", message: problem))
        }
        var staffRole: StaffRole?
        if role == .staff {
            staffRole = try await StaffRoles(database: database).find(id: invitation.roleId ?? StaffRoles.defaultRoleID)
            if staffRole == nil { errors.append(.init(field: "roleId", message: invitation.roleId == nil ? "is required" : "names no role of this store")) }
        }
        guard errors.isEmpty, let email, let role else { throw Problem.validation(errors) }
        if role == .owner, !caller.isOwner { throw Problem.forbidden("Only the store's owner can add another owner.") }
        try caller.requireGrantable(Set(staffRole?.permissions ?? []))
        let hash = try await invitation.password.asyncMap { try await hasher.hash($0) }
        return try await insert(email: email.value, role: role, roleID: staffRole?.id, passwordHash: hash, mail: mail, actor: caller.actor)
    }

    /// Gives a staff member another role.
    public func assign(staffID: String, roleID: String, by caller: StaffPrincipal, now: Date = Date()) async throws -> Member {
        guard let role = try await StaffRoles(database: database).find(id: roleID) else { throw Problem.invalid("roleId", "names no role of this store") }
        try caller.requireGrantable(Set(role.permissions))
        let lock: SQLQueryString = database.kind == .postgres ? " FOR UPDATE OF m" : ""
        try await database.write { sql in
            let email = try await Self.manageable(staffID: staffID, by: caller, lock: lock, on: sql)
            try await sql.raw("UPDATE staff_members SET role_id = \(bind: roleID), updated_at = \(bind: now.stamp) WHERE id = \(bind: staffID)").run()
            try await AuditLog.record(
                actor: caller.actor, action: "staff.role_changed", subject: staffID, summary: "Gave \(email) the role \(role.name)", now: now, on: sql)
        }
        guard let member = try await member(id: staffID) else { throw Self.notFound(staffID) }
        return member
    }

    /// Removes a staff member and their sessions.
    public func remove(staffID: String, by caller: StaffPrincipal, now: Date = Date()) async throws {
        let lock: SQLQueryString = database.kind == .postgres ? " FOR UPDATE OF m" : ""
        try await database.write { sql in
            let email = try await Self.manageable(staffID: staffID, by: caller, lock: lock, on: sql)
            try await sql.raw("DELETE FROM staff_sessions WHERE staff_id = \(bind: staffID)").run()
            try await sql.raw("DELETE FROM staff_members WHERE id = \(bind: staffID)").run()
            try await sql.raw("UPDATE api_keys SET revoked_at = \(bind: now.stamp) WHERE creator_staff_id = \(bind: staffID) AND revoked_at IS NULL").run()
            try await AuditLog.record(actor: caller.actor, action: "staff.removed", subject: staffID, summary: "Removed \(email)", now: now, on: sql)
        }
    }

    public func member(id: String) async throws -> Member? {
        guard id.utf8.count <= 64 else { return nil }
        let rows = try await database.read { sql in
            try await sql.raw(
                """
                SELECT id, email, role, role_id, CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END AS has_password, created_at
                FROM staff_members WHERE id = \(bind: id)
                """
            ).all()
        }
        return try rows.first.map { row in
            Member(
                id: try row.decode(column: "id", as: String.self), email: try row.decode(column: "email", as: String.self),
                role: try row.decode(column: "role", as: String.self), roleId: try row.decode(column: "role_id", as: String?.self),
                hasPassword: try row.decode(column: "has_password", as: Int.self) != 0, createdAt: try row.decode(column: "created_at", as: String.self))
        }
    }

    /// The member's address when the caller may change them: 404 when there is none, 403 for the
    /// owner or a member holding permissions the caller does not. `lock` is ` FOR UPDATE OF m` on
    /// PostgreSQL (the role side of the outer join cannot be locked).
    static func manageable(staffID: String, by caller: StaffPrincipal, lock: SQLQueryString, on sql: any SQLDatabase) async throws -> String {
        guard
            let row = try await sql.raw(
                """
                SELECT m.email, m.role, r.permissions FROM staff_members m LEFT JOIN staff_roles r ON r.id = m.role_id
                WHERE m.id = \(bind: staffID)
                """ + lock
            ).first()
        else { throw notFound(staffID) }
        guard try row.decode(column: "role", as: String.self) != StaffPrincipal.Role.owner.rawValue else {
            throw Problem.forbidden("The store's owner cannot be changed or removed.")
        }
        try caller.requireGrantable(StaffPermission.parse(stored: try row.decode(column: "permissions", as: String?.self) ?? ""))
        return try row.decode(column: "email", as: String.self)
    }

    static func notFound(_ id: String) -> Problem { Problem.notFound("There is no staff member \(id.prefix(64)).") }
}
