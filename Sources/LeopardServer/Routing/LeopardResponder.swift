import HTTPTypes
import Hummingbird
import LeopardCore
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
    /// Told after each write request a store answered (the webhook worker looks into it).
    let afterWrite: @Sendable (String) async -> Void

    public static let tenantHeader = HTTPField.Name("X-Tenant-ID")!
    /// HTTP/1 servers move `Host` into the authority; in-process tests may leave it a header.
    static let hostHeader = HTTPField.Name("Host")!

    public func respond(to request: Request, context: AppContext) async throws -> Response {
        var context = context
        context.clientAddress = Self.clientAddress(request, peer: context.remoteAddress)
        do {
            let path = request.uri.path
            if path == "/healthz" || path == "/readyz" || path == "/internal/tls/ask" {
                return try await platform.respond(to: request, context: context)
            }
            let tenant: Tenant
            switch hosts.classify(request.headers[Self.hostHeader] ?? request.head.authority) {
            case .platform:
                guard path.hasPrefix("/api/"), let header = request.headers[Self.tenantHeader] else {
                    return try await (Self.isAPI(path) ? platform : platformWeb).respond(to: request, context: context)
                }
                tenant = try await resolve(header, bySlugOnly: false)
            case .storeSubdomain(let slug):
                tenant = try await resolve(slug, bySlugOnly: true)
            case .other(let host):
                // A custom domain, once verified.
                // Only well-formed names reach the registry.
                guard let name = try? Hostname(validating: host), let found = try await directory.tenant(domain: name.value) else {
                    throw Problem.notFound("There is no store at \(host.prefix(253)).")
                }
                tenant = try Self.answering(found, name: name.value)
            }
            usage.record(tenantID: tenant.id)
            var storeContext = context
            storeContext.tenant = tenant
            storeContext.logger[metadataKey: "tenant"] = .string(tenant.id)
            let store = Self.isAPI(path) ? self.store : self.storeWeb
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
        } catch {
            return ProblemRenderer.response(for: error, context: context)
        }
    }

    /// The peer, unless it is on this machine and names the client in `X-Forwarded-For` (a
    /// proxy in front, as docs/operations.md sets up): then the entry that proxy added, the
    /// last. A remote client's own `X-Forwarded-For` is never believed.
    static func clientAddress(_ request: Request, peer: String?) -> String? {
        let local = peer.map { $0 == "127.0.0.1" || $0 == "::1" || $0.hasPrefix("::ffff:127.") } ?? true
        guard local, let header = request.headers[HTTPField.Name("X-Forwarded-For")!],
              let last = header.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty, last.utf8.count <= 64 else {
            return peer
        }
        return last
    }

    /// JSON API, inbound webhooks, media files, the OpenAPI document and the metrics; everything
    /// else is a page.
    static func isAPI(_ path: String) -> Bool {
        path.hasPrefix("/api/") || path.hasPrefix("/webhooks/") || path.hasPrefix("/media/") || path == "/openapi.json" || path == "/metrics" || path.hasPrefix("/internal/")
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
