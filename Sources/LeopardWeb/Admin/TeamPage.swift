import LeopardCommerce

/// The team page: staff members with their roles, the roles to give, and API keys with scopes.
public struct TeamPage: Sendable {
    public struct Member: Sendable {
        public let id: String
        public let email: String
        /// The role's name (`Owner` for the owner).
        public let role: String
        public let roleId: String?
        public let removable: Bool
        /// The roles to move the member to, theirs selected.
        public let roleOptions: [RoleOption]

        public init(id: String, email: String, role: String, roleId: String?, removable: Bool, roles: [StaffRole]) {
            self.id = id
            self.email = email
            self.role = role
            self.roleId = roleId
            self.removable = removable
            roleOptions = roles.map { RoleOption(id: $0.id, name: $0.name, selected: $0.id == roleId) }
        }
    }

    public struct Key: Sendable {
        public let id: String
        public let name: String
        public let created: String
        public let lastUsed: String?
        public let scopes: String

        public init(id: String, name: String, created: String, lastUsed: String?, scopes: String) {
            self.id = id
            self.name = name
            self.created = created
            self.lastUsed = lastUsed
            self.scopes = scopes
        }
    }

    public struct RoleOption: Sendable {
        public let id: String
        public let name: String
        public let selected: Bool
    }

    public struct Scope: Sendable {
        public let name: String
        public let label: String
    }

    public let members: [Member]
    public let keys: [Key]
    /// Whether the member may see and make API keys (the `apps` permission).
    public let managesKeys: Bool
    /// Whether the member manages staff (the `staff` permission).
    public let managesStaff: Bool
    public let roles: [RoleOption]
    public let scopes: [Scope]
    public let newSecret: String?
    public let values: [String: String]
    public let errors: [String: String]
    public let general: String?

    public init(
        members: [Member], keys: [Key], managesKeys: Bool, managesStaff: Bool, roles: [StaffRole], newSecret: String?, values: [String: String],
        errors: FieldMessages
    ) {
        self.members = members
        self.keys = keys
        self.managesKeys = managesKeys
        self.managesStaff = managesStaff
        self.roles = roles.map { RoleOption(id: $0.id, name: $0.name, selected: $0.id == (values["roleId"] ?? StaffRoles.defaultRoleID)) }
        self.scopes = StaffPermission.allCases.map { Scope(name: $0.rawValue, label: $0.label) }
        self.newSecret = newSecret
        self.values = values
        self.errors = errors.messages
        self.general = errors.general
    }
}

/// The roles page: each role and what it allows, a form to add one (the owner), and the list of
/// permissions to choose from.
public struct RolesPage: Sendable {
    public struct Row: Sendable {
        public let id: String
        public let name: String
        public let permissions: String
    }

    public struct Choice: Sendable {
        public let name: String
        public let label: String
        public let checked: Bool
    }

    public let roles: [Row]
    public let choices: [Choice]
    public let isOwner: Bool
    public let values: [String: String]
    public let errors: [String: String]
    public let general: String?

    public init(roles: [StaffRole], isOwner: Bool, checked: Set<String>, values: [String: String], errors: FieldMessages) {
        self.roles = roles.map { role in
            Row(id: role.id, name: role.name, permissions: role.permissions.isEmpty ? "nothing yet" : role.permissions.map(\.label).joined(separator: "; "))
        }
        choices = StaffPermission.allCases.map { Choice(name: $0.rawValue, label: $0.label, checked: checked.contains($0.rawValue)) }
        self.isOwner = isOwner
        self.values = values
        self.errors = errors.messages
        self.general = errors.general
    }
}

/// The audit log page, newest first, a page at a time.
public struct AuditPage: Sendable {
    public struct Row: Sendable {
        public let when: String
        public let actor: String
        public let action: String
        public let summary: String
    }

    public let rows: [Row]
    public let nextUrl: String?
    public let firstUrl: String?

    public init(entries: [AuditEntry], nextUrl: String?, firstUrl: String?) {
        rows = entries.map { entry in
            Row(
                when: String(entry.createdAt.prefix(19)).replacingOccurrences(of: "T", with: " "),
                actor: entry.actor.replacingOccurrences(of: "staff:", with: ""), action: entry.action, summary: entry.summary)
        }
        self.nextUrl = nextUrl
        self.firstUrl = firstUrl
    }
}
