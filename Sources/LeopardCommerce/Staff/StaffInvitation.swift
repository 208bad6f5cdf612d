import LeopardCore

/// An owner's request to add a staff member, as the API and the admin's team page send it.
public struct StaffInvitation: Codable, Sendable {
    public var email: String
    /// `owner` or `staff` (the default).
    public var role: String?
    /// The staff role to give (default: the built-in "Staff" role).
    public var roleId: String?
    public var password: String?

    public init(email: String, role: String? = nil, roleId: String? = nil, password: String? = nil) {
        self.email = email
        self.role = role
        self.roleId = roleId
        self.password = password
    }
}

extension ApiKeys {
    /// A key named by its creator: 1 to 100 characters once trimmed, with scopes the creator
    /// holds (none given: what staff could do before scopes, as far as the creator holds it).
    public func create(named name: String, scopes: [String]?, by creator: StaffPrincipal) async throws -> Key {
        let name = name.trimmingWhitespace()
        guard !name.isEmpty, name.count <= 100 else { throw Problem.invalid("name", "must be 1 to 100 characters") }
        let granted = try scopes.map { try StaffPermission.parse($0, field: "scopes") } ?? StaffPermission.legacyStaff.intersection(creator.permissions)
        try creator.requireGrantable(granted)
        // A key's permissions follow its maker's; a key has no member behind it to follow.
        guard case .session = creator.credential else { throw Problem.forbidden("API keys are made by a signed-in staff member, not by another key.") }
        return try await create(name: name, scopes: granted, createdBy: creator.actor, creatorStaffID: creator.staffID)
    }
}
