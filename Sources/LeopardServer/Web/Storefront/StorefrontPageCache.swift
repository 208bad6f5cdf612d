import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import NIOCore

/// Shoppers' browsing pages (home, catalog, product pages) rendered once per catalog version
/// and kept in the `ResponseCache` beside the catalog API's responses (keys start with the
/// store's id; the version covers products, categories and the store's settings). What differs
/// from one visitor to the next, the form token and the cart count, is rendered as a random
/// placeholder and replaced in each response; whether the visitor is signed in is part of the
/// key. Measured: the render was most of a product page's time.
struct StorefrontPageCache: Sendable {
    struct Placeholders: Sendable {
        let csrf: String
        let cartCount: String
    }

    let cache: ResponseCache
    let pages: WebPages
    /// Random per process, so that no product text can contain them.
    let placeholders = Placeholders(
        csrf: "lpcsrf" + SecureToken.make(bytes: 12).filter(\.isLetter),
        cartCount: "lpcart" + SecureToken.make(bytes: 12).filter(\.isLetter))

    static let parameters: Set<String> = ["q", "category", "cursor", "sort", "variant", "added"]

    func respond(_ request: Request, context: StoreContext, render: (StorefrontVisit) async throws -> String) async throws -> Response {
        let (tenant, database) = (context.tenant, context.database)
        var visit = try await StorefrontVisit(request, context: context, pages: pages, loadSettings: false)
        let cart = await visit.cart()
        let signedIn = await visit.customer() != nil
        let version = try await cache.catalogVersion(tenantID: tenant.id, database: database)
        let host = (request.headers[LeopardResponder.hostHeader] ?? request.head.authority ?? "").lowercased()
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        let scheme = BrowserSession.isSecure(request) ? "https" : "http"
        let resource = "page \(signedIn ? "in" : "out") \(year) \(scheme)://\(host)\(request.uri.path)?\(request.uri.query ?? "")"
        // Only addresses whose every parameter means something to the page are kept, so that
        // junk query strings cannot fill the cache (shared by all stores) with copies.
        let cacheable = request.uri.queryParameters.allSatisfy { Self.parameters.contains(String($0.key)) } && request.uri.path.utf8.count <= 256
        let html: ByteBuffer
        if cacheable, let body = cache.body(tenantID: tenant.id, resource: resource, version: version) {
            html = body
        } else {
            let started = ContinuousClock.now
            try await visit.loadSettings()
            visit.placeholders = placeholders
            html = ByteBuffer(string: try await render(visit))
            if cacheable { cache.store(html, tenantID: tenant.id, resource: resource, version: version, now: started) }
        }
        let personal = Self.substitute(
            html,
            [
                (Array(placeholders.csrf.utf8), Array(pages.session.token(scope: visit.scope, binding: visit.binding.value).utf8)),
                (Array(placeholders.cartCount.utf8), Array(String(cart?.itemCount ?? 0).utf8)),
            ])
        return pages.html(personal, request: request, cookies: visit.baseCookies)
    }

    /// Replaces every occurrence of each placeholder (all of which start with "lp") in one pass
    /// over the bytes, copying the runs between them.
    static func substitute(_ buffer: ByteBuffer, _ replacements: [(placeholder: [UInt8], value: [UInt8])]) -> ByteBuffer {
        buffer.withUnsafeReadableBytes { bytes in
            var out = ByteBuffer()
            out.reserveCapacity(bytes.count + 64)
            var runStart = 0
            var index = 0
            let count = bytes.count
            scan: while index + 1 < count {
                if bytes[index] == UInt8(ascii: "l"), bytes[index + 1] == UInt8(ascii: "p") {
                    for (placeholder, value) in replacements where index + placeholder.count <= count {
                        if placeholder.indices.allSatisfy({ bytes[index + $0] == placeholder[$0] }) {
                            out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
                            out.writeBytes(value)
                            index += placeholder.count
                            runStart = index
                            continue scan
                        }
                    }
                }
                index += 1
            }
            out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[runStart..<count]))
            return out
        }
    }
}
