import LeopardStorage

/// The platform database: the tenant registry, the provisioning log and platform settings.
public enum PlatformSchema {
    public static let migrations: [Migration] = [
        m0001Tenants,
        m0002ProvisioningAttempts,
        m0003PlatformSettings,
        m0004WebhookTenants,
        m0005SpareDatabases,
        m0006TenantUsage,
        m0007TenantDomains,
        m0008TenantChangeFeed,
        m0009RateLimitEvents,
        m0010PlatformJobs,
        m0011DedicatedTenants,
        m0012Pods,
        m0013TenantMoves,
        m0014RateLimitRefs,
        m0015TenantUsageBusy,
        m0016TenantActivity,
    ]

    public static var migrator: Migrator { Migrator(migrations) }
}
