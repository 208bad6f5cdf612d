import LeopardOperations
import LeopardWeb
import Logging

/// The platform's long-lived parts: those below HTTP (`platform`, whose members read as this
/// type's own: `services.registry`), and the HTTP layer's own, the pages and the dedicated
/// stores' instances. Built once at start-up and shared by the routers, the CLI and the tests.
@dynamicMemberLookup
public struct LeopardServices: Sendable {
    public let platform: PlatformServices
    /// Dedicated stores' own instances, started on demand.
    public let dedicatedInstances: DedicatedInstances
    /// Signs (platform) and checks (dedicated instance) forwarded requests.
    let proxySignature: ProxySignature
    /// Templates, stylesheet and form tokens for the HTML pages.
    let web: WebPages
    /// Counts storefront visitors into each store's funnel.
    let funnel = FunnelTracker()

    public subscript<Value>(dynamicMember keyPath: KeyPath<PlatformServices, Value>) -> Value {
        platform[keyPath: keyPath]
    }

    /// Starts the platform (see `PlatformServices.start`) and builds the HTTP layer's parts.
    public static func start(
        _ configuration: ServerConfiguration, logger: Logger = Logger(label: "leopard"), makeOperatorToken: Bool = true
    ) async throws -> LeopardServices {
        let platform = try await PlatformServices.start(configuration, logger: logger, makeOperatorToken: makeOperatorToken)
        do {
            let secrets = platform.secrets
            let proxySignature = ProxySignature(key: secrets.derivedKey(purpose: "dedicated-proxy"))
            let web = WebPages(
                renderer: try await PageRenderer.bundled(), assets: try StaticAssets.bundled(),
                session: BrowserSession(key: secrets.derivedKey(purpose: "forms")), hasher: platform.passwordHasher,
                baseDomain: configuration.baseDomain)
            let dedicated = DedicatedInstances(configuration: configuration, signature: proxySignature, client: platform.httpClient, logger: logger)
            return LeopardServices(platform: platform, dedicatedInstances: dedicated, proxySignature: proxySignature, web: web)
        } catch {
            await platform.shutdown()
            throw error
        }
    }

    /// Stops the dedicated instances, then closes every store database and the platform database.
    public func shutdown() async {
        await dedicatedInstances.stopAll()
        await platform.shutdown()
    }
}
