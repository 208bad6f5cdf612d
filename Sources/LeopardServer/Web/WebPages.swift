import CompressNIO
import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb
import NIOCore

/// What the HTML routes share: the templates, the fingerprinted stylesheet and the form-token
/// signer; and how a page becomes a response (security headers, gzip when the client takes it).
struct WebPages: Sendable {
    let renderer: PageRenderer
    let assets: StaticAssets
    let session: BrowserSession
    let hasher: PasswordHasher

    /// Forms may post to this host only; the platform's signup form ends in a redirect to the
    /// new store's host, which `form-action` also governs, so store hosts are allowed there.
    let contentSecurityPolicy: String

    init(renderer: PageRenderer, assets: StaticAssets, session: BrowserSession, hasher: PasswordHasher, baseDomain: String) {
        self.renderer = renderer
        self.assets = assets
        self.session = session
        self.hasher = hasher
        let storeHosts = baseDomain.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" } ? " *.\(baseDomain):*" : ""
        contentSecurityPolicy =
            "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
            + "form-action 'self'\(storeHosts); frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
    }

    /// An HTML page. Pages carry form tokens and carts, so they are never stored by shared caches.
    func html(_ text: String, status: HTTPResponse.Status = .ok, request: Request, cookies: [Cookie] = []) -> Response {
        html(ByteBuffer(string: text), status: status, request: request, cookies: cookies)
    }

    func html(_ bytes: ByteBuffer, status: HTTPResponse.Status = .ok, request: Request, cookies: [Cookie] = []) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "private, no-cache",
            .init("Content-Security-Policy")!: contentSecurityPolicy,
            .init("X-Content-Type-Options")!: "nosniff",
            .init("Referrer-Policy")!: "strict-origin-when-cross-origin",
            .vary: "Accept-Encoding",
        ]
        for cookie in cookies { headers[values: .setCookie].append(cookie.description) }
        let body = Self.encoded(bytes, headers: &headers, request: request)
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    /// 303 to `location` (a path on this host), after a form post.
    func redirect(to location: String, cookies: [Cookie] = []) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        for cookie in cookies { headers[values: .setCookie].append(cookie.description) }
        return Response(status: .seeOther, headers: headers)
    }

    /// gzip for clients that accept it and bodies worth compressing.
    static func encoded(_ original: ByteBuffer, headers: inout HTTPFields, request: Request) -> ByteBuffer {
        var buffer = original
        guard buffer.readableBytes >= 1024, acceptsGzip(request) else { return buffer }
        var compressed = ByteBufferAllocator().buffer(capacity: buffer.readableBytes + buffer.readableBytes / 100 + 128)
        do {
            try buffer.compress(to: &compressed, with: .gzip())
        } catch {
            return original
        }
        headers[.contentEncoding] = "gzip"
        return compressed
    }

    static func acceptsGzip(_ request: Request) -> Bool {
        guard let accept = request.headers[.acceptEncoding]?.lowercased() else { return false }
        return accept.split(separator: ",").contains { part in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.first == "gzip" || pieces.first == "*" else { return false }
            return !pieces.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "") == "q=0" }
        }
    }
}

extension Problem {
    /// The status of a page that shows this problem: the problem's own, or 502 for a failure
    /// on the server's side (the page itself is answered).
    var pageStatus: HTTPResponse.Status { status >= 500 ? .badGateway : .init(code: status) }
}
