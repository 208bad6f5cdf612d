import Hummingbird
import LeopardCommerce
import LeopardCore
import Logging

/// Counts the storefront's funnel steps from what each request did: a page shown (a session),
/// a product's page, something put in the cart, the checkout page, an order placed (the
/// checkout form's redirect names it). The admin, assets and failed requests count for nothing.
/// Counting is in memory (`FunnelTracker`); a store's counts are written every half minute.
struct FunnelMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let tracker: FunnelTracker

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        guard let tenant = context.tenant, let database = context.database else { return response }
        let steps = Self.steps(method: request.method, path: request.uri.path, status: response.status, location: response.headers[.location])
        guard !steps.isEmpty else { return response }
        let agent = String((request.headers[.userAgent] ?? "").prefix(512))
        do {
            for (step, orderID) in steps {
                try await tracker.note(step, tenantID: tenant.id, database: database, address: context.clientAddress ?? "", userAgent: agent, orderID: orderID)
            }
            try await tracker.flush(tenantID: tenant.id, database: database)
        } catch {
            // Counting never fails the shopper's page (a store being moved refuses writes).
            context.logger.debug("funnel step not counted", metadata: ["error": .string("\(error)")])
        }
        return response
    }

    /// The steps a finished request counts for, with the order it placed.
    static func steps(method: HTTPRequest.Method, path: String, status: HTTPResponse.Status, location: String?) -> [(Funnel.Step, String?)] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        if ["admin", "assets", "media", "api", "robots.txt", "sitemap.xml", "favicon.ico", "webhooks"].contains(parts.first.map(String.init) ?? "") {
            return []
        }
        switch (method, status) {
        case (.get, .ok):
            var steps: [(Funnel.Step, String?)] = [(.session, nil)]
            if parts.count == 2, parts[0] == "products" { steps.append((.product, nil)) }
            if parts == ["checkout"] { steps.append((.checkout, nil)) }
            return steps
        case (.post, .seeOther), (.post, .found):
            if parts == ["cart", "add"] { return [(.cart, nil)] }
            if parts == ["checkout"], let orderID = orderID(location) { return [(.order, orderID)] }
            return []
        default:
            return []
        }
    }

    /// `/checkout/pay?order=ID` or `/orders/ID`.
    static func orderID(_ location: String?) -> String? {
        guard let location else { return nil }
        if location.hasPrefix("/checkout/pay?order=") { return String(location.dropFirst("/checkout/pay?order=".count).prefix(64)) }
        if location.hasPrefix("/orders/") { return String(location.dropFirst("/orders/".count).prefix(while: { $0 != "?" }).prefix(64)) }
        return nil
    }
}
