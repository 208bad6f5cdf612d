import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import LeopardPlatform

/// The control-plane API on the platform host: public signup, and the operator's tenant
/// management behind the operator token.
struct TenantControlRoutes {
    let services: LeopardServices

    func register(on router: Router<AppContext>) {
        router.post("/api/tenants", use: signup)
        let operatorRoutes = router.group("/api/tenants").add(middleware: OperatorAuthMiddleware(credentials: services.operatorCredentials))
        operatorRoutes.get(use: list)
        operatorRoutes.get(":tenantId", use: show)
        operatorRoutes.delete(":tenantId", use: delete)
        operatorRoutes.post(":tenantId/suspend") { _, context in try await change(context, services.lifecycle.suspend) }
        operatorRoutes.post(":tenantId/activate") { _, context in try await change(context, services.lifecycle.activate) }
        operatorRoutes.post(":tenantId/restore") { _, context in try await change(context, services.lifecycle.restore) }
        operatorRoutes.get(":tenantId/metrics", use: usage)
        operatorRoutes.patch(":tenantId", use: update)
        router.group("/api/audit").add(middleware: OperatorAuthMiddleware(credentials: services.operatorCredentials)).get("isolation") { _, _ in
            let report = try await IsolationAudit(services: services.platform).run()
            return try report.jsonResponse(status: report.clean ? .ok : .conflict)
        }
    }

    @Sendable func signup(_ request: Request, context: AppContext) async throws -> Response {
        let input = try await request.decodeJSON(SignupRequest.self, context: context)
        return try await StoreSignup(services: services.platform).signup(input, clientAddress: context.clientAddress, logger: context.logger).jsonResponse(
            status: .created)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let query = request.uri.queryParameters
        var status: TenantStatus?
        if let text = query["status"].map(String.init) {
            guard let value = TenantStatus(rawValue: text) else {
                throw Problem.invalid("status", "must be one of " + TenantStatus.allCases.map(\.rawValue).joined(separator: ", "))
            }
            status = value
        }
        let page = try PageRequest(limit: query["limit"].map(String.init), cursor: query["cursor"].map(String.init))
        if let after = page.after, !Identifier.isWellFormed(after, prefix: "ten") {
            throw Problem.invalid("cursor", "is not a cursor this API returned")
        }
        let tenants = try await services.registry.list(status: status, page: page)
        return try tenants.map { TenantResource($0, configuration: services.configuration) }.jsonResponse()
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        let tenant = try await find(context)
        return try TenantResource(tenant, configuration: services.configuration).jsonResponse()
    }

    /// What one store uses and does (`TenantUsageReport`).
    @Sendable func usage(_ request: Request, context: AppContext) async throws -> Response {
        try await TenantUsageReport.load(try await find(context), services: services.platform).jsonResponse()
    }

    /// Soft delete, or `?purge=true` to remove a soft-deleted store for good.
    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let tenant = try await find(context)
        switch request.uri.queryParameters["purge"].map(String.init) {
        case nil, "false":
            return try await change(context, services.lifecycle.softDelete)
        case "true":
            switch try await services.lifecycle.purge(id: tenant.id) {
            case .changed:
                try? await services.usage.remove(tenantID: tenant.id)
                return Response(status: .noContent)
            case .notFound: throw Problem.notFound("There is no tenant \(tenant.id).")
            case .conflict(let status):
                throw Problem.conflict("Only a deleted store can be purged; this one is \(status.rawValue). Delete it first.")
            case .moving:
                throw Problem.conflict("The store is being moved to another server; purge it once the move has ended (or been aborted).")
            }
        default:
            throw Problem.invalid("purge", "must be true or false")
        }
    }

    struct UpdateRequest: Decodable {
        let dedicated: Bool?
    }

    /// `PATCH /api/tenants/:id {"dedicated": true}`: the store moves to an instance of its own
    /// (started on its next request), or back to the shared instances.
    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        let tenant = try await find(context)
        let input = try await request.decodeJSON(UpdateRequest.self, context: context)
        guard let dedicated = input.dedicated else { throw Problem.invalid("dedicated", "is required (true or false)") }
        guard let changed = try await services.registry.setDedicated(id: tenant.id, dedicated) else {
            throw Problem.notFound("There is no tenant \(tenant.id).")
        }
        await services.directory.invalidate(id: changed.id, slug: changed.slug)
        if !dedicated { await services.dedicatedInstances.stop(tenantID: changed.id) }
        return try TenantResource(changed, configuration: services.configuration).jsonResponse()
    }

    private func find(_ context: AppContext) async throws -> Tenant {
        try await Self.tenant(context, registry: services.registry)
    }

    /// The store named by the `:tenantId` path parameter (id or slug); `404` when there is none,
    /// it is still being created, or its status is in `hidden`.
    static func tenant(_ context: AppContext, registry: TenantRegistry, hidden: Set<TenantStatus> = []) async throws -> Tenant {
        let key = try context.parameters.require("tenantId")
        guard key.utf8.count <= 64, let tenant = try await registry.find(idOrSlug: key.lowercased()),
            tenant.status != .provisioning, !hidden.contains(tenant.status)
        else {
            throw Problem.notFound("There is no tenant \(key.prefix(64)).")
        }
        return tenant
    }

    private func change(_ context: AppContext, _ action: @Sendable (String) async throws -> TenantLifecycle.Outcome) async throws -> Response {
        let tenant = try await find(context)
        switch try await action(tenant.id) {
        case .changed(let changed):
            return try TenantResource(changed, configuration: services.configuration).jsonResponse()
        case .notFound:
            throw Problem.notFound("There is no tenant \(tenant.id).")
        case .conflict(let status):
            throw Problem.conflict("The store is \(status.rawValue); that change does not apply.")
        case .moving:
            throw Problem.conflict("The store is being moved to another server.")
        }
    }
}
