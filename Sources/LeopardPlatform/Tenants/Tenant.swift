import Foundation
import LeopardStorage

public enum TenantStatus: String, Codable, Sendable, CaseIterable {
    /// Being created: not reachable yet.
    case provisioning
    case active
    /// Paused by the operator: the store answers 503.
    case suspended
    /// Soft-deleted: the store answers 404, its data stays until purged.
    case deleted
}

/// A store, as the platform registry knows it.
public struct Tenant: Sendable, Equatable {
    public var id: String
    public var slug: String
    public var storeName: String
    public var ownerEmail: String
    public var status: TenantStatus
    public var database: TenantDatabaseLocation
    public var createdAt: Date
    public var updatedAt: Date
    public var deletedAt: Date?
    /// Served by an instance of its own (`leopard serve --tenant ID`), which the platform starts
    /// on demand and stops when idle, instead of by the shared instances.
    public var dedicated: Bool
    /// Where the store's database is being copied (`leopard tenants move`). Meanwhile the store
    /// is read-only: reads are served from `database`, writes get 503 with `Retry-After`.
    public var moveTarget: TenantDatabaseLocation?
    /// Whether writes are paused: a move is recorded.
    public var isReadOnly: Bool

    public init(
        id: String, slug: String, storeName: String, ownerEmail: String, status: TenantStatus, database: TenantDatabaseLocation, createdAt: Date,
        updatedAt: Date,
        deletedAt: Date? = nil, dedicated: Bool = false, moveTarget: TenantDatabaseLocation? = nil, isReadOnly: Bool? = nil
    ) {
        self.id = id
        self.slug = slug
        self.storeName = storeName
        self.ownerEmail = ownerEmail
        self.status = status
        self.database = database
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
        self.dedicated = dedicated
        self.moveTarget = moveTarget
        self.isReadOnly = isReadOnly ?? (moveTarget != nil)
    }
}
