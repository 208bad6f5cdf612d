import LeopardCore
import LeopardPlatform

/// A store as the control-plane API shows it. Database names, roles and secrets never leave.
public struct TenantResource: Encodable, Sendable {
    public struct URLs: Encodable, Sendable {
        let storefront: String
        public let admin: String
        let api: String
    }

    public let id: String
    public let slug: String
    public let storeName: String
    public let ownerEmail: String
    let status: String
    public let storage: String
    public let createdAt: String
    let updatedAt: String
    let deletedAt: String?
    /// Served by an instance of its own, started on demand.
    let dedicated: Bool
    /// Being moved to another server (`leopard tenants move`): writes are refused meanwhile.
    public let readOnly: Bool
    public let urls: URLs
    /// Only in the signup response of an owner without a password: shown once.
    var setupToken: String?

    public init(_ tenant: Tenant, configuration: ServerConfiguration, setupToken: String? = nil) {
        let base = configuration.storeURL(slug: tenant.slug)
        self.id = tenant.id
        self.slug = tenant.slug
        self.storeName = tenant.storeName
        self.ownerEmail = tenant.ownerEmail
        self.status = tenant.status.rawValue
        self.storage = tenant.database.kind.rawValue
        self.createdAt = Timestamp.string(tenant.createdAt)
        self.updatedAt = Timestamp.string(tenant.updatedAt)
        self.deletedAt = tenant.deletedAt.map(Timestamp.string)
        self.dedicated = tenant.dedicated
        self.readOnly = tenant.isReadOnly
        self.urls = URLs(storefront: base + "/", admin: base + "/admin", api: base + "/api")
        self.setupToken = setupToken
    }

    enum CodingKeys: String, CodingKey {
        case id, slug, storeName, ownerEmail, status, storage, createdAt, updatedAt, deletedAt, dedicated, readOnly, urls, setupToken
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(slug, forKey: .slug)
        try container.encode(storeName, forKey: .storeName)
        try container.encode(ownerEmail, forKey: .ownerEmail)
        try container.encode(status, forKey: .status)
        try container.encode(storage, forKey: .storage)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(deletedAt, forKey: .deletedAt)
        try container.encode(dedicated, forKey: .dedicated)
        try container.encode(readOnly, forKey: .readOnly)
        try container.encode(urls, forKey: .urls)
        try container.encodeIfPresent(setupToken, forKey: .setupToken)
    }
}
