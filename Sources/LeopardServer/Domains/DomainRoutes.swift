import Foundation
import Hummingbird
import LeopardCore
import LeopardOperations
import LeopardPlatform

/// Custom domains (operator): add one with its TXT record to set, check the record, remove it;
/// and Caddy's `on_demand_tls` question `GET /internal/tls/ask?domain=HOST`, answered `200` only
/// for verified domains of stores that are not deleted.
struct DomainRoutes {
    let services: LeopardServices

    struct AddRequest: Decodable {
        let hostname: String?
    }

    struct Resource: Encodable {
        struct Verification: Encodable {
            let type: String
            let name: String
            let value: String
        }

        let hostname: String
        let tenantId: String
        let status: String
        let verification: Verification
        let createdAt: String
        let verifiedAt: String?
        let lastCheckedAt: String?
        let lastError: String?

        init(_ domain: CustomDomain) {
            hostname = domain.hostname
            tenantId = domain.tenantID
            status = domain.status.rawValue
            verification = Verification(type: "TXT", name: domain.verificationName, value: domain.verificationValue)
            createdAt = Timestamp.string(domain.createdAt)
            verifiedAt = domain.verifiedAt.map(Timestamp.string)
            lastCheckedAt = domain.checkedAt.map(Timestamp.string)
            lastError = domain.lastError
        }
    }

    var domains: DomainRegistry { DomainRegistry(database: services.platformDatabase) }

    func register(on router: Router<AppContext>) {
        let group = router.group("/api/tenants").add(middleware: OperatorAuthMiddleware(credentials: services.operatorCredentials))
        group.post(":tenantId/domains", use: add)
        group.get(":tenantId/domains", use: list)
        group.post(":tenantId/domains/:hostname/verify", use: verify)
        group.delete(":tenantId/domains/:hostname", use: remove)
        router.get("/internal/tls/ask", use: ask)
    }

    @Sendable func add(_ request: Request, context: AppContext) async throws -> Response {
        let tenant = try await tenant(context)
        let body = try await request.decodeJSON(AddRequest.self, context: context)
        let hostname = try Self.acceptable(body.hostname ?? "", baseDomain: services.configuration.baseDomain)
        switch try await domains.add(hostname: hostname.value, tenantID: tenant.id) {
        case .added(let domain):
            context.logger.notice("custom domain added", metadata: ["domain": .string(domain.hostname)])
            return try Resource(domain).jsonResponse(status: .created)
        case .existing(let domain):
            return try Resource(domain).jsonResponse()
        case .taken:
            throw Problem.conflict("Another store already has \(hostname.value).", errors: [.init(field: "hostname", message: "belongs to another store")])
        case .tooMany:
            throw Problem.conflict("A store can have at most \(DomainRegistry.maximumPerStore) domains; remove one first.")
        }
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let tenant = try await tenant(context)
        let query = request.uri.queryParameters
        let page = try PageRequest(limit: query["limit"].map(String.init), cursor: query["cursor"].map(String.init))
        return try await domains.list(tenantID: tenant.id, page: page).map(Resource.init).jsonResponse()
    }

    /// Looks up `_leopard.HOSTNAME` and marks the domain verified when one of its TXT values is
    /// the domain's. A verified domain stays verified when a later check fails.
    @Sendable func verify(_ request: Request, context: AppContext) async throws -> Response {
        let tenant = try await tenant(context)
        let domain = try await held(context, tenant: tenant)
        return try Resource(try await DomainVerification(services: services.platform).verify(domain, tenantID: tenant.id, logger: context.logger))
            .jsonResponse()
    }

    @Sendable func remove(_ request: Request, context: AppContext) async throws -> Response {
        let tenant = try await tenant(context)
        let domain = try await held(context, tenant: tenant)
        guard try await domains.remove(hostname: domain.hostname, tenantID: tenant.id) else {
            throw Problem.notFound("The store has no domain \(domain.hostname).")
        }
        await services.directory.invalidate(domain: domain.hostname)
        context.logger.notice("custom domain removed", metadata: ["domain": .string(domain.hostname)])
        return Response(status: .noContent)
    }

    @Sendable func ask(_ request: Request, context: AppContext) async throws -> Response {
        guard let text = request.uri.queryParameters["domain"].map(String.init), !text.isEmpty else {
            throw Problem.invalid("domain", "is required")
        }
        guard let hostname = try? Hostname(validating: text), !hostname.isWithin(services.configuration.baseDomain),
            let tenant = try await services.directory.tenant(domain: hostname.value), tenant.status == .active || tenant.status == .suspended
        else {
            throw Problem.notFound("\(text.prefix(253)) is not a verified store domain.")
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: .init(string: "ok\n")))
    }

    /// A domain name a store may take: valid, not the platform's own names, not `localhost`.
    static func acceptable(_ text: String, baseDomain: String) throws -> Hostname {
        let hostname: Hostname
        do {
            hostname = try Hostname(validating: text)
        } catch {
            throw Problem.invalid("hostname", error.message)
        }
        if hostname.isWithin(baseDomain) {
            throw Problem.invalid("hostname", "is the platform's own domain; stores already answer at SLUG.\(baseDomain)")
        }
        if hostname.isWithin("localhost") {
            throw Problem.invalid("hostname", "must be a public domain name, not localhost")
        }
        return hostname
    }

    /// A deleted store takes no domains.
    private func tenant(_ context: AppContext) async throws -> Tenant {
        try await TenantControlRoutes.tenant(context, registry: services.registry, hidden: [.deleted])
    }

    private func held(_ context: AppContext, tenant: Tenant) async throws -> CustomDomain {
        let text = try context.parameters.require("hostname")
        guard let hostname = try? Hostname(validating: text), let domain = try await domains.find(hostname: hostname.value), domain.tenantID == tenant.id else {
            throw Problem.notFound("The store has no domain \(text.prefix(253)).")
        }
        return domain
    }
}
