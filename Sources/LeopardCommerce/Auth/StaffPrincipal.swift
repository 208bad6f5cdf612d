import LeopardCore

/// Who is calling the admin API: a staff member signed in with a session token, or an API key.
public struct StaffPrincipal: Sendable, Equatable {
    public enum Role: String, Sendable, Codable { case owner, staff }
    public enum Credential: Sendable, Equatable {
        case session(id: String)
        case apiKey(id: String)
    }

    public let staffID: String
    public let email: String
    public let role: Role
    public let credential: Credential
    /// What the member's role (or the key's scopes) allow; the owner's session holds them all.
    public let permissions: Set<StaffPermission>

    public init(staffID: String, email: String, role: Role, credential: Credential, permissions: Set<StaffPermission>) {
        self.staffID = staffID
        self.email = email
        self.role = role
        self.credential = credential
        self.permissions = role == .owner ? Set(StaffPermission.allCases) : permissions
    }

    public var isOwner: Bool { role == .owner }

    public func can(_ permission: StaffPermission) -> Bool {
        permissions.contains(permission)
    }

    /// The 403 for a caller without any of `permissions`.
    public func require(anyOf permissions: [StaffPermission]) throws {
        guard permissions.isEmpty || permissions.contains(where: can) else {
            let names = permissions.map(\.rawValue).joined(separator: " or ")
            throw Problem.forbidden("Your role does not allow this: it needs the \(names) permission.")
        }
    }

    /// Nobody hands out more than they hold: a role, scope or member with permissions beyond the
    /// caller's own is a 403.
    public func requireGrantable(_ granted: Set<StaffPermission>) throws {
        let missing = granted.subtracting(permissions)
        guard missing.isEmpty else {
            throw Problem.forbidden("You cannot give permissions you do not hold: " + missing.sorted().map(\.rawValue).joined(separator: ", ") + ".")
        }
    }

    /// What the order timeline and stock history record as the actor.
    public var actor: String {
        switch credential {
        case .session: return "staff:\(email)"
        case .apiKey(let id): return "api_key:\(id)"
        }
    }
}
