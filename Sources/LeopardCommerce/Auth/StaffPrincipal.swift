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

    public var isOwner: Bool { role == .owner }

    /// What the order timeline and stock history record as the actor.
    public var actor: String {
        switch credential {
        case .session: return "staff:\(email)"
        case .apiKey(let id): return "api_key:\(id)"
        }
    }
}
