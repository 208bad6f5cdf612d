/// A change to the platform registry that look-up caches must drop: a store's row (any
/// status change, move, purge) or one of its custom domains. Database triggers announce every
/// change, so instances hear of changes made by other instances and by the command line.
public enum TenantChange: Sendable, Equatable {
    case tenant(id: String, slug: String)
    case domain(hostname: String)

    /// The notification channel on PostgreSQL.
    public static let channel = "leopard_tenant_changes"

    /// Reads a trigger's payload: `t <id> <slug>` or `d <hostname>`; nil for anything else.
    public init?(payload: String) {
        let parts = payload.split(separator: " ", omittingEmptySubsequences: false)
        switch (parts.first, parts.count) {
        case ("t", 3): self = .tenant(id: String(parts[1]), slug: String(parts[2]))
        case ("d", 2): self = .domain(hostname: String(parts[1]))
        default: return nil
        }
    }

    public var tenantID: String? {
        if case .tenant(let id, _) = self { return id }
        return nil
    }
}
