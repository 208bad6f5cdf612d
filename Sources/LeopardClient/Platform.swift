import Foundation
import LeopardPlatformAPI
import OpenAPIRuntime

/// The platform's control plane: signing up a store, and (with the operator token) running
/// them. Calls go through the generated ``LeopardPlatformAPI/Client`` in `api`.
public struct Platform: Sendable {
    public let baseURL: URL
    public let api: Client
    private let transport: any ClientTransport

    /// - Parameters:
    ///   - baseURL: the platform's address, e.g. `https://leopard.example.com`.
    ///   - operatorToken: the operator token, for the routes that need it; signup does not.
    public init(_ baseURL: URL, operatorToken: String? = nil, transport: (any ClientTransport)? = nil) {
        let transport = transport ?? DefaultTransport.make()
        self.baseURL = baseURL
        self.transport = transport
        self.api = Client(
            serverURL: baseURL,
            configuration: .leopard,
            transport: transport,
            middlewares: [CredentialsMiddleware(tenant: nil, credentials: Credentials(bearerToken: operatorToken))]
        )
    }

    /// A store on this platform, reached by its slug (`X-Tenant-ID`).
    public func store(_ slug: String, credentials: Credentials = Credentials()) -> Store {
        Store(.platform(baseURL, tenant: slug), credentials: credentials, transport: transport)
    }
}
