import LeopardCore

/// An owner's request to add a staff member, as the API and the admin's team page send it.
public struct StaffInvitation: Codable, Sendable {
    public var email: String
    public var role: String?
    public var password: String?

    public init(email: String, role: String? = nil, password: String? = nil) {
        self.email = email
        self.role = role
        self.password = password
    }
}

extension StaffAccounts {
    /// Checks an invitation (every field's error at once), hashes its password if it has one,
    /// and adds the member.
    public func invite(_ invitation: StaffInvitation, hasher: PasswordHasher, mail: MailSender) async throws -> Member {
        var errors: [Problem.FieldError] = []
        let email = EmailAddress(invitation.email)
        if email == nil { errors.append(.init(field: "email", message: "must be an e-mail address")) }
        let role = StaffPrincipal.Role(rawValue: invitation.role ?? "staff")
        if role == nil { errors.append(.init(field: "role", message: "must be owner or staff")) }
        if let password = invitation.password, let problem = PasswordHasher.problem(with: password) {
            errors.append(.init(field: "password", message: problem))
        }
        guard errors.isEmpty, let email, let role else { throw Problem.validation(errors) }
        let hash = try await invitation.password.asyncMap { try await hasher.hash($0) }
        return try await invite(email: email.value, role: role, passwordHash: hash, mail: mail)
    }
}

extension ApiKeys {
    /// A key named by its owner: 1 to 100 characters once trimmed.
    public func create(named name: String, createdBy: String) async throws -> Key {
        let name = name.trimmingWhitespace()
        guard !name.isEmpty, name.count <= 100 else { throw Problem.invalid("name", "must be 1 to 100 characters") }
        return try await create(name: name, createdBy: createdBy)
    }
}
