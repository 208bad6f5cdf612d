import Hummingbird
import Logging

/// One line per answered request at `info`: method, route template, path (never the query,
/// which may carry a one-time token), status and duration in milliseconds. The request id and
/// the store's id come with the request's logger.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppContext

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        guard context.logger.logLevel <= .info else { return try await next(request, context) }
        let start = ContinuousClock.now
        var status = 500
        defer {
            let elapsed = ContinuousClock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            context.logger.info(
                "request",
                metadata: [
                    "method": .string(request.method.rawValue), "route": .string(context.endpointPath ?? "unmatched"),
                    "path": .string(String(request.uri.path.prefix(200))), "status": .string(String(status)),
                    "duration_ms": .string(String(format: "%.2f", milliseconds)),
                ])
        }
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            status = Int(error.status.code)
            throw error
        }
    }
}
