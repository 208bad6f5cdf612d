import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardPlatform
import LeopardStorage

/// What every route on a store's host has: the store, its database handle (which every query of
/// the request uses), and the client's address. Built from `AppContext` when a route of a
/// store's group is called, so a handler cannot run without them.
public protocol StoreRequestContext: RequestContext {
    var tenant: Tenant { get }
    var database: any DatabaseHandle { get }
    var clientAddress: String? { get }
}

extension StoreRequestContext {
    /// JSON bodies are capped at 1 MiB, as on `AppContext`.
    public var maxUploadSize: Int { 1 << 20 }

    /// The store's settings (currency, tax, shipping), reused for up to a second while nothing is written through this
    /// instance's handle (nearly every request reads them; checkout reads its terms afresh).
    func storeSettings() async throws -> StoreSettings {
        let database = self.database
        guard let settings = try await database.memoized("store_settings", { try await StoreSettings.load(from: database) }) else {
            throw Problem.unavailable("This store is not set up yet.")
        }
        return settings
    }
}

extension AppContext {
    /// The store and its database; a 404 off a store's host.
    func storeParts() throws -> (tenant: Tenant, database: any DatabaseHandle) {
        guard let tenant, let database else { throw HTTPError(.notFound) }
        return (tenant, database)
    }
}

/// A store's route open to anyone: shoppers with a cart secret or none, and, when the request
/// carried a valid token, the staff member or customer it names.
public struct StoreContext: ChildRequestContext, StoreRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let tenant: Tenant
    public let database: any DatabaseHandle
    public let clientAddress: String?
    public let staff: StaffPrincipal?
    public let customer: Customer?

    public init(context: AppContext) throws {
        (tenant, database) = try context.storeParts()
        coreContext = context.coreContext
        clientAddress = context.clientAddress
        staff = context.staff
        customer = context.customer
    }

    /// The calling staff member when they hold one of `permissions`; on open routes, staff
    /// without them are served as any visitor is.
    public func staff(holding permissions: StaffPermission...) -> StaffPrincipal? {
        guard let staff, permissions.contains(where: staff.can) else { return nil }
        return staff
    }
}

/// A store's route for staff (a session or an API key): 401 without one.
public struct StaffContext: ChildRequestContext, StoreRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let tenant: Tenant
    public let database: any DatabaseHandle
    public let clientAddress: String?
    public let staff: StaffPrincipal

    public init(context: AppContext) throws {
        (tenant, database) = try context.storeParts()
        guard let staff = context.staff else { throw Problem.unauthorized("Sign in as staff: send Authorization: Bearer <token>.") }
        coreContext = context.coreContext
        clientAddress = context.clientAddress
        self.staff = staff
    }
}

/// A store's route for its owner: 401 without staff credentials, 403 for other staff.
public struct OwnerContext: ChildRequestContext, StoreRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let tenant: Tenant
    public let database: any DatabaseHandle
    public let clientAddress: String?
    public let owner: StaffPrincipal

    public init(context: AppContext) throws {
        let staff = try StaffContext(context: context)
        guard staff.staff.isOwner else { throw Problem.forbidden("Only the store's owner can do this.") }
        (tenant, database, clientAddress, owner) = (staff.tenant, staff.database, staff.clientAddress, staff.staff)
        coreContext = context.coreContext
    }
}

/// A store's route for a signed-in customer: 401 without one.
public struct CustomerContext: ChildRequestContext, StoreRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let tenant: Tenant
    public let database: any DatabaseHandle
    public let clientAddress: String?
    public let customer: Customer
    /// The token the request presented, for sign-out.
    public let bearerToken: String

    public init(context: AppContext) throws {
        (tenant, database) = try context.storeParts()
        guard let customer = context.customer, let token = context.bearerToken else {
            throw Problem.unauthorized("Sign in as a customer: send Authorization: Bearer <token>.")
        }
        coreContext = context.coreContext
        clientAddress = context.clientAddress
        self.customer = customer
        bearerToken = token
    }
}

/// The groups a store's routes are registered in, one per kind of caller. Staff routes name the
/// permissions that open them (any one of them suffices), so no staff route can be added without
/// saying who may call it.
struct StoreRouter {
    let anyone: RouterGroup<StoreContext>
    /// Any signed-in staff member or API key, whatever their role: their own session and address.
    let signedIn: RouterGroup<StaffContext>
    let owner: RouterGroup<OwnerContext>
    let customer: RouterGroup<CustomerContext>
    private let router: Router<AppContext>

    init(_ router: Router<AppContext>) {
        self.router = router
        anyone = router.group(context: StoreContext.self)
        signedIn = router.group(context: StaffContext.self)
        owner = router.group(context: OwnerContext.self)
        customer = router.group(context: CustomerContext.self)
    }

    /// Staff holding any of `permissions`: 401 without credentials, 403 without the permission.
    func staff(_ permissions: StaffPermission...) -> RouterGroup<StaffContext> {
        precondition(!permissions.isEmpty, "a staff route names the permissions that open it")
        return router.group(context: StaffContext.self).add(middleware: PermissionCheck(anyOf: permissions))
    }
}

/// The 403 for staff without the route's permission, before the handler runs.
struct PermissionCheck: RouterMiddleware {
    typealias Context = StaffContext
    let anyOf: [StaffPermission]

    func handle(_ request: Request, context: StaffContext, next: (Request, StaffContext) async throws -> Response) async throws -> Response {
        try context.staff.require(anyOf: anyOf)
        return try await next(request, context)
    }
}
