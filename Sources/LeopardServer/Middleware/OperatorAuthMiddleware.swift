import Hummingbird
import LeopardCore
import LeopardPlatform

/// Lets a request through only with `Authorization: Bearer <operator token>`.
public struct OperatorAuthMiddleware: RouterMiddleware {
    public typealias Context = AppContext
    let credentials: OperatorCredentials

    public init(credentials: OperatorCredentials) {
        self.credentials = credentials
    }

    public func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthorized("This endpoint needs the operator token: Authorization: Bearer <token>.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", credentials.verify(String(parts[1]).trimmingWhitespace()) else {
            throw Problem.unauthorized("The operator token is wrong.")
        }
        return try await next(request, context)
    }
}
