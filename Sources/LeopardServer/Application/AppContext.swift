import Hummingbird
import LeopardCommerce
import LeopardPlatform
import LeopardStorage
import NIOCore

/// The request context. On a store's host it carries that store and its database handle, which
/// every query of the request uses; there is no other way to reach a store's data.
public struct AppContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The socket's peer address (nil in in-process tests).
    public let remoteAddress: String?
    /// The client's address, for rate limits and throttles: the peer, or, when the peer is a
    /// proxy on this machine, the address it names last in `X-Forwarded-For`. Set by
    /// `LeopardResponder` for every request.
    public var clientAddress: String?
    /// The resolved store; nil on the platform host.
    public var tenant: Tenant?
    /// The store's database; set together with `tenant`.
    public var database: (any DatabaseHandle)?
    /// The signed-in staff member or API key, when the request carried a valid staff bearer token.
    public var staff: StaffPrincipal?
    /// The signed-in shopper, when the request carried a valid customer bearer token.
    public var customer: Customer?
    /// The bearer token the request presented, for sign-out.
    public var bearerToken: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// JSON bodies are capped at 1 MiB.
    public var maxUploadSize: Int { 1 << 20 }
}
