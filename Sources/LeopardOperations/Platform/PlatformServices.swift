import AsyncHTTPClient
import Foundation
import LeopardCommerce
import LeopardCore
import LeopardPlatform
import LeopardStorage
import Logging
import PostgresNIO
import SQLKit

/// The platform's long-lived parts below HTTP, built once at start-up from the configuration and
/// shared by the HTTP layer (`PlatformServices` adds the pages and the dedicated instances), the
/// CLI commands and the tests.
public struct PlatformServices: Sendable {
    public let configuration: ServerConfiguration
    public let platformDatabase: any DatabaseHandle
    public let secrets: SecretBox
    public let databases: TenantDatabases
    public let registry: TenantRegistry
    public let provisioningLog: ProvisioningLog
    public let directory: TenantDirectory
    /// PostgreSQL servers besides the platform's own for store databases (PostgreSQL only).
    let pods: PodRegistry?
    let podConnections: PodConnections?
    /// Registry changes made by other instances and by commands, for `directory`.
    public let changeFeed: TenantChangeFeed
    public let lifecycle: TenantLifecycle
    public let provisioner: TenantProvisioner
    /// Store databases made ahead of signups.
    public let sparePool: SparePool
    public let operatorCredentials: OperatorCredentials
    /// The operator token made on this start, shown once; nil when it existed or came from the environment.
    public let newOperatorToken: String?
    public let passwordHasher: PasswordHasher
    let signupLimiter: RateLimiter
    /// Failed sign-ins (staff and customers), per store and client address and per store and
    /// e-mail address: 10 in 15 minutes, then 429.
    public let loginLimiter: RateLimiter
    /// Rendered public catalog responses, per store and catalog version.
    public let catalogCache: ResponseCache
    /// Delivers the `test` payment provider's events to stores' webhook receivers.
    let paymentRelay: PaymentWebhookRelay
    /// Sends merchants' webhooks from every store's outbox.
    public let webhookDispatcher: WebhookDispatcher
    /// Sends stores' queued mail (from the webhook dispatcher's loop).
    public let mailer: StoreMailer
    /// Outbound HTTP: merchant webhooks and payment providers.
    public let httpClient: HTTPClient
    public let paymentProviders: PaymentProviders
    /// Requests per store, for `GET /api/tenants/:id/metrics`.
    public let usage: UsageLedger
    /// Counters and histograms for `GET /metrics`.
    public let metrics: PlatformMetrics
    /// TXT look-ups for custom domain checks.
    let dnsLookup: DNSTXTLookup
    public let logger: Logger

    var storeMigrator: Migrator { databases.migrator }

    /// Stores' uploaded files, one folder per store.
    public var media: MediaStorage { MediaStorage(root: configuration.dataDirectory.appendingPathComponent("media", isDirectory: true)) }

    /// Paying for orders, for the pay route and the payment page.
    public var orderPayments: OrderPayments { OrderPayments(providers: paymentProviders, relay: paymentRelay, metrics: metrics) }

    /// Opens and migrates the platform database, prepares the store template and wires the services.
    /// `makeOperatorToken: false` for commands that cannot show a new token (backup, restore,
    /// migrate, audit, keys): they leave its making to `serve`, which prints it.
    public static func start(
        _ configuration: ServerConfiguration, logger: Logger = Logger(label: "leopard"), makeOperatorToken: Bool = true
    ) async throws -> PlatformServices {
        let manager = FileManager.default
        try manager.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        let secrets = try SecretBox.load(
            environmentValue: configuration.secretKey, previousEnvironmentValue: configuration.previousSecretKey, keyFile: configuration.keyFile)
        let descriptors = FileDescriptorLimit.raiseSoftLimitToHard()
        let storeMigrator = Migrator(configuration.storeMigrations)

        let storage = try await PlatformStorage.open(configuration, secrets: secrets, descriptors: descriptors, logger: logger)
        let (platform, provider) = (storage.platform, storage.provider)

        do {
            try await PlatformSchema.migrator.migrate(platform)
            if configuration.dedicatedTenant == nil { try await provider.prepareTemplate(storeMigrator) }
            let (credentials, newToken) = try await OperatorCredentials.load(
                environmentToken: configuration.operatorToken, platform: platform, createIfMissing: makeOperatorToken)
            return try await wire(
                configuration, storage: storage, secrets: secrets, migrator: storeMigrator, operator: (credentials, newToken), logger: logger)
        } catch {
            await platform.close()
            throw error
        }
    }

    /// Builds the services over the opened storage: the store databases' manager, the registry
    /// and its look-up cache, provisioning, payments, webhooks, limits and metrics.
    static func wire(
        _ configuration: ServerConfiguration, storage: PlatformStorage, secrets: SecretBox, migrator storeMigrator: Migrator,
        operator credentials: (OperatorCredentials, String?), logger: Logger
    ) async throws -> PlatformServices {
        let (platform, provider, capacity) = (storage.platform, storage.provider, storage.capacity)
        let (platformServer, podRegistry, podConnections) = (storage.platformServer, storage.pods, storage.podConnections)
        let databases = TenantDatabases(provider: provider, migrator: storeMigrator, capacity: capacity, logger: logger)
        let registry = TenantRegistry(database: platform)
        let log = ProvisioningLog(database: platform)
        if configuration.dedicatedTenant == nil {
            // Platform upkeep belongs to the shared instances, not to one store's.
            try await StaleProvisioningSweep(registry: registry, provider: provider, logger: logger).run()
        }
        let directory = TenantDirectory(registry: registry)
        // On SQLite, spares wait open (one connection each, up to half the configured cap on
        // open stores), so that a burst of signups does not open its databases.
        let keepOpen = provider.kind == .sqlite ? min(configuration.spareStores, configuration.maxOpenTenants / 2) : 0
        let pool = SparePool(
            target: configuration.spareStores, platform: platform, provider: provider, migrator: storeMigrator,
            databases: databases, keepOpen: keepOpen, logger: logger)
        let httpClient = HTTPClient.leopard()
        let providers = PaymentProviders(client: httpClient, secrets: secrets, stripeBase: configuration.stripeAPIBase)
        let relay = PaymentWebhookRelay(databases: databases, providers: providers, tenants: WebhookTenants(database: platform), logger: logger)
        let hasher = PasswordHasher(cost: configuration.passwordHashCost)
        let metrics = PlatformMetrics()
        let usage = UsageLedger(database: platform)
        let mailer = try await StoreMailer.make(configuration, secrets: secrets, logger: logger)
        let setup = StoreSetup(migrator: storeMigrator) { db, owner in
            try await StaffAccounts(database: db).createOwner(storeName: owner.storeName, email: owner.email, passwordHash: owner.passwordHash)
        }
        return PlatformServices(
            configuration: configuration,
            platformDatabase: platform,
            secrets: secrets,
            databases: databases,
            registry: registry,
            provisioningLog: log,
            directory: directory,
            pods: podRegistry,
            podConnections: podConnections,
            changeFeed: TenantChangeFeed(platform: platform, server: platformServer, directory: directory, metrics: metrics, logger: logger),
            lifecycle: TenantLifecycle(registry: registry, directory: directory, databases: databases, logger: logger),
            provisioner: TenantProvisioner(
                registry: registry, log: log, databases: databases, setup: setup, pool: pool, faultInjector: configuration.provisioningFaults,
                logger: logger),
            sparePool: pool,
            operatorCredentials: credentials.0,
            newOperatorToken: credentials.1,
            passwordHasher: hasher,
            signupLimiter: RateLimiter(
                name: "signup", limit: configuration.signupRateLimit, window: 60, database: platform,
                digestKey: secrets.derivedKey(purpose: "rate-limits")),
            loginLimiter: RateLimiter(
                name: "sign-in failure", limit: configuration.loginFailureLimit, window: 900, database: platform,
                digestKey: secrets.derivedKey(purpose: "rate-limits")),
            catalogCache: ResponseCache(),
            paymentRelay: relay,
            webhookDispatcher: WebhookDispatcher(
                databases: databases, directory: directory, tenants: WebhookTenants(database: platform),
                secrets: secrets,
                transport: HTTPWebhookTransport(
                    client: httpClient,
                    addresses: WebhookAddressGuard(
                        allowPrivate: configuration.allowPrivateWebhookTargets,
                        resolve: configuration.webhookResolver)), relay: relay, mailer: mailer, metrics: metrics, usage: usage, logger: logger),
            mailer: mailer,
            httpClient: httpClient,
            paymentProviders: providers,
            usage: usage,
            metrics: metrics,
            dnsLookup: try DNSTXTLookup.make(server: configuration.dnsServer),
            logger: logger
        )
    }

    /// Closes every store database and the platform database.
    public func shutdown() async {
        await sparePool.stop()
        await UsageFlushService.flush(self, logger: logger)
        try? await httpClient.shutdown()
        await databases.closeAll()
        await podConnections?.closeAll()
        await platformDatabase.close()
    }
}
