import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Adds the store's tenant header and the caller's credentials to every request.
struct CredentialsMiddleware: ClientMiddleware {
    static let tenantHeader = HTTPField.Name("X-Tenant-ID")!
    static let cartSecretHeader = HTTPField.Name("X-Cart-Secret")!

    let tenant: String?
    let credentials: Credentials

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        if let tenant, request.headerFields[Self.tenantHeader] == nil {
            request.headerFields[Self.tenantHeader] = tenant
        }
        if let token = credentials.bearerToken, request.headerFields[.authorization] == nil {
            request.headerFields[.authorization] = "Bearer \(token)"
        }
        if let secret = credentials.cartSecret, request.headerFields[Self.cartSecretHeader] == nil {
            request.headerFields[Self.cartSecretHeader] = secret
        }
        return try await next(request, body, baseURL)
    }
}
