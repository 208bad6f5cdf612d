import Hummingbird
import LeopardCore

/// On a store's host: while the store is being moved to another server it is read-only. Pages
/// and reads are served as usual; a request that would change something gets 503 with
/// `Retry-After` (a friendly page on the HTML routes) before it reaches a handler, so nothing
/// is half-done. The database refuses writes too (see `TenantDatabaseWritePause`), for a request
/// that started before the move.
struct ReadOnlyStoreMiddleware: RouterMiddleware {
    typealias Context = AppContext

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        if let tenant = context.tenant, tenant.isReadOnly, !Self.isRead(request.method) {
            throw Problem.storeReadOnly
        }
        return try await next(request, context)
    }

    static func isRead(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }
}
