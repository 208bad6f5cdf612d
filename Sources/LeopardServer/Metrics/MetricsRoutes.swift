import HTTPTypes
import Hummingbird
import LeopardCore
import NIOCore

/// `GET /metrics` on the platform host, in Prometheus' text format: for the operator token, or
/// for a client on this machine that came directly. A request a proxy forwarded needs the token
/// even from loopback: proxies in front must send `X-Forwarded-For` (Caddy does by default;
/// nginx needs `proxy_set_header X-Forwarded-For …`), as docs/operations.md says.
struct MetricsRoutes {
    let services: LeopardServices

    func register(on router: Router<AppContext>) {
        router.get("/metrics") { request, context in
            guard Self.isDirectLocal(request, context: context) || Self.hasOperatorToken(request, services: services) else {
                throw Problem.unauthorized("The metrics need the operator token (Authorization: Bearer <token>) or a client on this machine.")
            }
            let body = await services.metrics.render(databases: services.databases, changeFeed: services.changeFeed)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    static func isDirectLocal(_ request: Request, context: AppContext) -> Bool {
        for header in ["X-Forwarded-For", "Forwarded", "X-Real-IP"] where request.headers[HTTPField.Name(header)!] != nil { return false }
        // In-process tests have no socket: they count as this machine.
        guard let address = context.remoteAddress else { return true }
        return address == "127.0.0.1" || address == "::1" || address.hasPrefix("::ffff:127.")
    }

    static func hasOperatorToken(_ request: Request, services: LeopardServices) -> Bool {
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        return services.operatorCredentials.verify(String(header.dropFirst(7)).trimmingWhitespace())
    }
}
