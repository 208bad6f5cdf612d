import Hummingbird
import LeopardOperations
import Logging
import ServiceLifecycle

/// Builds the two routers (platform host and store hosts) and the responder that picks one.
public func buildResponder(_ services: LeopardServices) -> LeopardResponder {
    let (platform, store) = buildRouters(services)
    let platformAPI = platform.buildResponder()
    let storeAPI = store.buildResponder()
    let (platformWeb, storeWeb) = buildWebRouters(services)
    return LeopardResponder(
        platform: platformAPI,
        store: storeAPI,
        platformWeb: platformWeb.buildResponder(),
        storeWeb: storeWeb.buildResponder(),
        hosts: HostClassifier(baseDomain: services.configuration.baseDomain),
        directory: services.directory,
        databases: services.databases,
        usage: services.usage,
        trustedProxies: services.configuration.trustedProxies,
        dedicated: services.configuration.dedicatedTenant.map { .instance(tenantID: $0, signature: services.proxySignature) }
            ?? .platform(services.dedicatedInstances),
        afterWrite: { [dispatcher = services.webhookDispatcher] tenantID in await dispatcher.nudge(tenantID: tenantID) }
    )
}

/// The platform host's router and the store hosts' router.
public func buildRouters(_ services: LeopardServices) -> (platform: Router<AppContext>, store: Router<AppContext>) {
    let platform = Router(context: AppContext.self)
    platform.add(middleware: MetricsMiddleware(metrics: services.metrics))
    platform.add(middleware: RequestLogMiddleware())
    platform.add(middleware: ProblemMiddleware())
    HealthRoutes(platformDatabase: services.platformDatabase, changeFeed: services.changeFeed).register(on: platform)
    MetricsRoutes(services: services).register(on: platform)
    TenantControlRoutes(services: services).register(on: platform)
    PlatformReportRoutes(services: services).register(on: platform)
    DomainRoutes(services: services).register(on: platform)
    OpenAPIRoutes(document: OpenAPIRoutes.platform).register(on: platform)

    let store = Router(context: AppContext.self)
    store.add(middleware: MetricsMiddleware(metrics: services.metrics))
    store.add(middleware: RequestLogMiddleware())
    store.add(middleware: ProblemMiddleware())
    store.add(middleware: ReadOnlyStoreMiddleware())
    store.add(middleware: StoreAuthMiddleware(hasher: services.passwordHasher))
    // Each route is in the group of its callers: the typed context of the group (the store,
    // its staff member, its owner or its customer) is built before the handler runs, or the
    // request is refused (404 off a store's host, 401, 403).
    let routes = StoreRouter(store)
    StoreInfoRoutes().register(on: routes)
    StaffAuthRoutes(services: services).register(on: routes)
    StaffRoleRoutes().register(on: routes)
    SettingsRoutes().register(on: routes)
    ShippingTaxRoutes().register(on: routes)
    DiscountRoutes(services: services).register(on: routes)
    ProductRoutes(cache: services.catalogCache, media: services.media).register(on: routes)
    ProductImageRoutes(media: services.media).register(on: routes)
    CategoryRoutes().register(on: routes)
    CartRoutes(providers: services.paymentProviders, metrics: services.metrics).register(on: routes)
    OrderRoutes(providers: services.paymentProviders).register(on: routes)
    ReportRoutes(funnel: services.funnel).register(on: routes)
    DraftOrderRoutes(placement: OrderPlacement(providers: services.paymentProviders, metrics: services.metrics), mail: services.mailer.sender)
        .register(on: routes)
    PaymentRoutes(payments: services.orderPayments).register(on: routes)
    WebhookRoutes(services: services).register(on: routes)
    CustomerRoutes(services: services).register(on: routes)
    AccountMailRoutes(services: services).register(on: routes)
    OpenAPIRoutes(document: OpenAPIRoutes.store).register(on: store)
    return (platform, store)
}

/// The HTML routers: the platform's site, and every store's storefront and admin. Pages that
/// change things call the same services as the JSON API's routes.
func buildWebRouters(_ services: LeopardServices) -> (platform: Router<AppContext>, store: Router<AppContext>) {
    let pages = services.web
    let platform = Router(context: AppContext.self)
    platform.add(middleware: MetricsMiddleware(metrics: services.metrics))
    platform.add(middleware: RequestLogMiddleware())
    platform.add(middleware: WebErrorMiddleware(pages: pages))
    AssetRoutes(pages: pages).register(on: platform)
    PlatformPages(pages: pages, services: services).register(on: platform)

    let store = Router(context: AppContext.self)
    store.add(middleware: MetricsMiddleware(metrics: services.metrics))
    store.add(middleware: RequestLogMiddleware())
    store.add(middleware: WebErrorMiddleware(pages: pages))
    store.add(middleware: ReadOnlyStoreMiddleware())
    store.add(middleware: FunnelMiddleware(tracker: services.funnel))
    AssetRoutes(pages: pages).register(on: store)
    let storePages = store.group(context: StoreContext.self)
    StorefrontRoutes(pages: pages, pageCache: StorefrontPageCache(cache: services.catalogCache, pages: pages)).register(on: storePages)
    CartPageRoutes(pages: pages, limiter: services.loginLimiter).register(on: storePages)
    CartLinkPageRoutes(pages: pages).register(on: storePages)
    AccountPageRoutes(pages: pages, services: services).register(on: storePages)
    let stripe = StripeCheckoutPages(pages: pages, providers: services.paymentProviders, scriptURL: services.configuration.stripeJSURL)
    CheckoutPageRoutes(pages: pages, payments: services.orderPayments, stripe: stripe).register(on: storePages)
    AdminRoutes(pages: pages, services: services).register(on: storePages)
    return (platform, store)
}

/// The HTTP application over already started services. `extraServices` run beside the server
/// (`serve` passes the one that closes the databases on shutdown).
public func buildApplication(
    _ services: LeopardServices, extraServices: [any Service] = [], onServerRunning: @escaping @Sendable () async -> Void = {}
) -> some ApplicationProtocol {
    var logger = services.logger
    logger.logLevel = services.configuration.logLevel
    return Application(
        responder: buildResponder(services),
        configuration: .init(address: .hostname(services.configuration.host, port: services.configuration.port), serverName: "Leopard"),
        // Graceful shutdown runs in reverse order: the server stops taking requests, then the
        // webhook worker finishes its pass, then `extraServices`. The caller closes the
        // databases once all of them have stopped.
        services: extraServices
            + (services.configuration.webhookPollInterval.map { [WebhookDispatchService(dispatcher: services.webhookDispatcher, interval: $0)] } ?? [])
            + [
                UsageFlushService(services: services.platform, logger: services.logger),
                FunnelFlushService(tracker: services.funnel, platform: services.platform, logger: services.logger), services.changeFeed,
            ]
            + (services.configuration.backupInterval.map { interval -> [any Service] in
                [
                    BackupScheduleService(
                        backups: StoreBackups(services: services.platform), directory: services.configuration.backupFolder,
                        interval: interval, keep: services.configuration.backupKeep, logger: services.logger)
                ]
            } ?? []),
        onServerRunning: { _ in await onServerRunning() },
        logger: logger
    )
}
