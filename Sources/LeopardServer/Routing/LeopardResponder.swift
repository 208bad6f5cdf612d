import HTTPTypes
import Hummingbird
import LeopardCore
import LeopardOperations
import LeopardPlatform
import LeopardStorage

/// The top of request handling: decides from the host (or `X-Tenant-ID` on API routes of the
/// platform host) whether a request is for the platform or for a store, resolves the store and
/// hands the store's router a context that carries the store and its database.
public struct LeopardResponder: HTTPResponder {
    public typealias Context = AppContext

    let platform: RouterResponder<AppContext>
    let store: RouterResponder<AppContext>
    /// The HTML pages: the platform's site, and every store's storefront and admin.
    let platformWeb: RouterResponder<AppContext>
    let storeWeb: RouterResponder<AppContext>
    let hosts: HostClassifier
    let directory: TenantDirectory
    let databases: TenantDatabases
    /// Counts the requests each store answers.
    let usage: UsageLedger
    /// Whose `X-Forwarded-For` names the client.
    let trustedProxies: TrustedProxies
    /// On the platform: forwards requests for dedicated stores to their own instances. In a
    /// dedicated instance: the one store it serves, and the signature every request must carry.
    let dedicated: DedicatedRouting
    /// Told after each write request a store answered (the webhook worker looks into it).
    let afterWrite: @Sendable (String) async -> Void

    public static let tenantHeader = HTTPField.Name("X-Tenant-ID")!
    /// HTTP/1 servers move `Host` into the authority; in-process tests may leave it a header.
    static let hostHeader = HTTPField.Name("Host")!

    static let forwardedHostHeader = HTTPField.Name("X-Forwarded-Host")!
    /// Set on every answer of a dedicated instance.
    static let servedByHeader = HTTPField.Name("X-Leopard-Served-By")!

    public func respond(to request: Request, context: AppContext) async throws -> Response {
        guard dedicated.isInstance else { return try await answer(request, context: context) }
        var response = try await answer(request, context: context)
        response.headers[Self.servedByHeader] = "dedicated"
        return response
    }

    private func answer(_ request: Request, context: AppContext) async throws -> Response {
        var context = context
        context.clientAddress = Self.clientAddress(request, peer: context.remoteAddress, trusting: trustedProxies)
        do {
            let path = request.uri.path
            // A NUL character (`%00`) in the path or query reaches no route: no store text may
            // hold one, and PostgreSQL refuses it.
            if request.uri.description.range(of: "%00", options: .caseInsensitive) != nil {
                throw Problem.badRequest("The address holds a NUL character (%00).")
            }
            if path == "/healthz" || path == "/readyz" || (path == "/internal/tls/ask" && !dedicated.isInstance) {
                return try await platform.respond(to: request, context: context)
            }
            let host = try checkedHost(request)
            switch try await destination(request, host: host, context: context) {
            case .answered(let response): return response
            case .store(let tenant): return try await serve(request, tenant: tenant, host: host, context: context)
            }
        } catch {
            return ProblemRenderer.response(for: error, context: context)
        }
    }

    /// The host the request names: a plain host name with an optional port (a host like
    /// `shop.localhost:8080@evil.test` is neither classified nor echoed into a page's links).
    /// Behind an orchestrator's gateway the store's host comes in X-Forwarded-Host; only a
    /// dedicated instance reads it, and only under the platform's signature, checked here.
    private func checkedHost(_ request: Request) throws -> String {
        var host = request.headers[Self.hostHeader] ?? request.head.authority ?? ""
        if dedicated.isInstance, let forwarded = request.headers[Self.forwardedHostHeader] { host = forwarded }
        guard host.isEmpty || HostClassifier.isWellFormedAuthority(host) else {
            throw Problem.badRequest("The Host header must be a host name with an optional port.")
        }
        if case .instance(let tenantID, let signature) = dedicated,
            !signature.verify(
                request.headers[ProxySignature.header], tenantID: tenantID, method: request.method.rawValue, host: host, path: request.uri.description)
        {
            throw Problem.forbidden("This is a dedicated instance: it answers only requests the platform forwards.")
        }
        return host
    }

    private enum Destination {
        case answered(Response)
        case store(Tenant)
    }

    /// The store the request is for, or the platform's own answer.
    private func destination(_ request: Request, host: String, context: AppContext) async throws -> Destination {
        let path = request.uri.path
        switch hosts.classify(host) {
        case .platform:
            if path.hasPrefix("/proxy/"), case .platform(let instances) = dedicated {
                return .answered(try await proxy(request, context: context, instances: instances))
            }
            if request.method == .post, let key = Self.platformWebhookStore(path) {
                // A payment provider's events for one store, at one host for every store.
                return .store(try await resolve(key, bySlugOnly: false))
            }
            guard path.hasPrefix("/api/"), let header = request.headers[Self.tenantHeader] else {
                if dedicated.isInstance { throw Problem.notFound("A dedicated instance serves one store only.") }
                return .answered(try await (Self.isAPI(path) ? platform : platformWeb).respond(to: request, context: context))
            }
            return .store(try await resolve(header, bySlugOnly: false))
        case .storeSubdomain(let slug):
            return .store(try await resolve(slug, bySlugOnly: true))
        case .other(let host):
            // A custom domain, once verified. Only well-formed names reach the registry.
            guard let name = try? Hostname(validating: host), let found = try await directory.tenant(domain: name.value) else {
                throw Problem.notFound("There is no store at \(host.prefix(253)).")
            }
            return .store(try Self.answering(found, name: name.value))
        }
    }

    /// The store's answer: from its own instance when it is dedicated, else from the store
    /// routers with its database handle in the context.
    private func serve(_ request: Request, tenant: Tenant, host: String, context: AppContext) async throws -> Response {
        switch dedicated {
        case .instance(let tenantID, _):
            guard tenant.id == tenantID else { throw Problem.notFound("A dedicated instance serves one store only.") }
        case .platform(let instances):
            if tenant.dedicated {
                usage.record(tenantID: tenant.id)
                return try await instances.forward(request, tenant: tenant, host: host, path: request.uri.description, clientAddress: context.clientAddress)
            }
        }
        // The platform counted a forwarded request already. A request is counted with the time
        // it took to answer (the store's share of the server, for its cost).
        let started = ContinuousClock.now
        defer { if !dedicated.isInstance { usage.record(tenantID: tenant.id, busy: ContinuousClock.now - started) } }
        var storeContext = context
        storeContext.tenant = tenant
        storeContext.logger[metadataKey: "tenant"] = .string(tenant.id)
        let store = Self.isAPI(request.uri.path) ? self.store : self.storeWeb
        let resolvedContext = storeContext
        do {
            let response = try await databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                var context = resolvedContext
                context.database = database
                return try await store.respond(to: request, context: context)
            }
            if request.method != .get, request.method != .head { await afterWrite(tenant.id) }
            return response
        } catch {
            // The store's database could not be opened: logged with the store's id.
            return ProblemRenderer.response(for: error, context: resolvedContext)
        }
    }

    /// `/proxy/:tenantId/<path>` on the platform host: the dedicated store's instance answers
    /// `<path>` as if asked on the store's own host.
    private func proxy(_ request: Request, context: AppContext, instances: DedicatedInstances) async throws -> Response {
        let rest = request.uri.description.dropFirst("/proxy/".count)
        let key = String(rest.prefix { $0 != "/" && $0 != "?" })
        var path = String(rest.dropFirst(key.count))
        if !path.hasPrefix("/") { path = "/" + path }
        let tenant = try await resolve(key, bySlugOnly: false)
        guard tenant.dedicated else { throw Problem.notFound("\(key.prefix(64)) is not a dedicated store.") }
        usage.record(tenantID: tenant.id)
        return try await instances.forward(request, tenant: tenant, host: hosts.storeHost(slug: tenant.slug), path: path, clientAddress: context.clientAddress)
    }

    /// The peer, unless it is a trusted proxy (this machine, or a network named with
    /// `--trusted-proxies`) that names the client in `X-Forwarded-For`: then the right-most
    /// entry that is not itself a trusted proxy. A remote client's own `X-Forwarded-For` is
    /// never believed.
    static func clientAddress(_ request: Request, peer: String?, trusting proxies: TrustedProxies = .local) -> String? {
        proxies.client(peer: peer, forwardedFor: request.headers[HTTPField.Name("X-Forwarded-For")!])
    }

    /// The store id in `/webhooks/payments/PROVIDER/STORE_ID` on the platform host, where a
    /// provider sends every store's events; the store's route checks the id again.
    static func platformWebhookStore(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[1] == "webhooks", parts[2] == "payments", !parts[3].isEmpty,
            Identifier.isWellFormed(String(parts[4]), prefix: "ten")
        else { return nil }
        return String(parts[4])
    }

    /// JSON API, inbound webhooks, media files, the OpenAPI document and the metrics; everything
    /// else is a page.
    static func isAPI(_ path: String) -> Bool {
        path.hasPrefix("/api/") || path.hasPrefix("/webhooks/") || path.hasPrefix("/media/") || path == "/openapi.json" || path == "/metrics"
            || path.hasPrefix("/internal/")
    }

    private func resolve(_ key: String, bySlugOnly: Bool) async throws -> Tenant {
        let key = key.trimmingWhitespace().lowercased()
        let found: Tenant?
        if !bySlugOnly, Identifier.isWellFormed(key, prefix: "ten") {
            found = try await directory.tenant(id: key)
        } else if (try? Slug(validating: key)) != nil {
            found = try await directory.tenant(slug: key)
        } else {
            found = nil
        }
        guard let tenant = found else { throw Problem.notFound("There is no store called \(key.prefix(64)).") }
        return try Self.answering(tenant, name: key)
    }

    /// The store if it answers: suspended ones get 503, unfinished and deleted ones 404.
    static func answering(_ tenant: Tenant, name: String) throws -> Tenant {
        switch tenant.status {
        case .active: return tenant
        case .suspended: throw Problem.unavailable("This store is suspended.")
        case .provisioning, .deleted: throw Problem.notFound("There is no store called \(name.prefix(64)).")
        }
    }
}
