import Hummingbird
import LeopardOperations

/// Counts every request a router answers and times it, by method, route template and status.
/// It runs outside the error middleware, so it sees the status the client gets.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let metrics: PlatformMetrics

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.request(
                method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: Int(response.status.code), duration: .now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError).map { Int($0.status.code) } ?? 500
            metrics.request(method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: status, duration: .now - start)
            throw error
        }
    }
}
