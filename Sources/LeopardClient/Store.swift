import Foundation
import LeopardStoreAPI
import OpenAPIRuntime

/// One Leopard store as a client sees it: where it is, and who is asking.
///
/// The generated ``LeopardStoreAPI/Client`` does the calls (`store.api.checkout(…)`); this
/// value only adds what every call repeats: the address of the store, and the cart secret,
/// customer session or staff token as headers. It is immutable; `with…` returns a copy holding
/// one more credential, so a buy flow reads top to bottom.
public struct Store: Sendable {
    /// How requests reach the store.
    public enum Address: Sendable, Hashable {
        /// The store's own host: `https://shop.example.com` or `http://slug.localhost:8080`.
        case host(URL)
        /// The platform's address and the store's slug, sent as `X-Tenant-ID` (API routes only).
        case platform(URL, tenant: String)

        var baseURL: URL {
            switch self {
            case .host(let url), .platform(let url, _): url
            }
        }

        var tenant: String? {
            switch self {
            case .host: nil
            case .platform(_, let tenant): tenant
            }
        }
    }

    public let address: Address
    public let credentials: Credentials
    /// The generated client for this store's API, with the credentials above applied.
    public let api: Client
    private let transport: any ClientTransport

    /// - Parameters:
    ///   - address: where the store answers.
    ///   - credentials: the cart secret, customer session or staff token to send.
    ///   - transport: URLSession on Apple platforms and AsyncHTTPClient elsewhere, unless given.
    public init(_ address: Address, credentials: Credentials = Credentials(), transport: (any ClientTransport)? = nil) {
        let transport = transport ?? DefaultTransport.make()
        self.address = address
        self.credentials = credentials
        self.transport = transport
        self.api = Client(
            serverURL: address.baseURL,
            configuration: .leopard,
            transport: transport,
            middlewares: [CredentialsMiddleware(tenant: address.tenant, credentials: credentials)]
        )
    }

    /// This store with a shopper's cart: its secret goes with every cart and payment call.
    public func with(cartSecret: String) -> Store {
        var credentials = credentials
        credentials.cartSecret = cartSecret
        return Store(address, credentials: credentials, transport: transport)
    }

    /// This store as a signed-in customer (`lpc_…` from `customerLogin` or registration).
    public func with(customerToken: String) -> Store {
        var credentials = credentials
        credentials.bearerToken = customerToken
        return Store(address, credentials: credentials, transport: transport)
    }

    /// This store as staff: a session token (`lps_…` from `staffLogin`) or an API key (`lpk_…`).
    public func with(staffToken: String) -> Store {
        var credentials = credentials
        credentials.bearerToken = staffToken
        return Store(address, credentials: credentials, transport: transport)
    }
}
