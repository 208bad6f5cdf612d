import Hummingbird
import LeopardCommerce
import LeopardCore

/// On a store's host: turns `Authorization: Bearer …` into the request's staff member, API key
/// or customer, looked up in this store's database only. A token that is not valid here (wrong
/// store, expired, revoked) is a 401, even on public routes, so clients notice.
struct StoreAuthMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let hasher: PasswordHasher

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw Problem.unauthorized("Send credentials as Authorization: Bearer <token>.")
        }
        let token = String(header.dropFirst(7)).trimmingWhitespace()
        let (_, database) = try context.storeParts()
        var context = context
        context.bearerToken = token
        guard token.utf8.count <= 200 else { throw Problem.unauthorized("The token is not valid for this store.") }
        if token.hasPrefix(StaffSessions.prefix) {
            context.staff = try await StaffSessions(database: database, hasher: hasher).principal(token: token)
        } else if token.hasPrefix(ApiKeys.prefix) {
            // A store being moved takes no writes, not even the key's last use.
            context.staff = try await ApiKeys(database: database).principal(secret: token, recordUse: !(context.tenant?.isReadOnly ?? false))
        } else if token.hasPrefix(Customers.tokenPrefix) {
            context.customer = try await Customers(database: database, hasher: hasher).customer(token: token)
        }
        guard context.staff != nil || context.customer != nil else {
            throw Problem.unauthorized("The token is not valid for this store, or it has expired.")
        }
        return try await next(request, context)
    }
}
