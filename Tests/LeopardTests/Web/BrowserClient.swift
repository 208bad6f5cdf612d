import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A browser's view of the test client: cookies kept per host (host-only, as browsers do with
/// cookies that name no domain), form posts, and the form token read from the last page.
final class BrowserClient: @unchecked Sendable {
    // @unchecked: a test drives one BrowserClient from one task at a time.
    let client: any TestClientProtocol
    private(set) var cookies: [String: [String: String]] = [:]
    /// Sent as `User-Agent` when set (the storefront's funnel counts only browsers that say so).
    var userAgent: String?

    init(_ client: any TestClientProtocol) {
        self.client = client
    }

    struct Page {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let html: String

        var location: String? { headers[.location] }

        /// The first form token on the page.
        var csrf: String? {
            guard let range = html.range(of: #"name="_csrf" value=""#) else { return nil }
            let rest = html[range.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
    }

    func get(_ path: String, host: String, headers extra: HTTPFields = [:]) async throws -> Page {
        try await send(.get, path, host: host, body: nil, contentType: nil, headers: extra)
    }

    /// Posts a form; `csrf` is added as `_csrf` unless nil.
    func post(_ path: String, host: String, form: [String: String], csrf: String?) async throws -> Page {
        var fields = form
        if let csrf { fields["_csrf"] = csrf }
        let body = fields.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        return try await send(.post, path, host: host, body: ByteBuffer(string: body), contentType: "application/x-www-form-urlencoded", headers: [:])
    }

    /// Posts a form whose names may repeat (a multiple select), in order.
    func post(_ path: String, host: String, pairs: [(String, String)], csrf: String?) async throws -> Page {
        let fields = pairs + (csrf.map { [("_csrf", $0)] } ?? [])
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.post, path, host: host, body: ByteBuffer(string: body), contentType: "application/x-www-form-urlencoded", headers: [:])
    }

    func send(
        _ method: HTTPRequest.Method, _ path: String, host: String, body: ByteBuffer?, contentType: String?, headers extra: HTTPFields
    ) async throws -> Page {
        var headers: HTTPFields = [HTTPField.Name("Host")!: host]
        if let jar = cookies[host], !jar.isEmpty { headers[.cookie] = jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if let contentType { headers[.contentType] = contentType }
        if let userAgent { headers[.userAgent] = userAgent }
        for field in extra { headers[field.name] = field.value }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body)
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard pair.count == 2 else { continue }
            if line.lowercased().contains("max-age=0") || pair[1].isEmpty {
                cookies[host]?[pair[0]] = nil
            } else {
                cookies[host, default: [:]][pair[0]] = pair[1]
            }
        }
        return Page(status: response.status, headers: response.headers, html: String(buffer: response.body))
    }

    func setCookie(_ name: String, _ value: String, host: String) {
        cookies[host, default: [:]][name] = value
    }

    func cookie(_ name: String, host: String) -> String? {
        cookies[host]?[name]
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Signs in to a store's admin through its form.
    func signInToAdmin(host: String, email: String, password: String = "correct horse battery") async throws {
        let form = try await get("/admin/login", host: host)
        let page = try await post("/admin/login", host: host, form: ["email": email, "password": password], csrf: form.csrf)
        try #require(page.status == .seeOther && page.location == "/admin", "admin sign-in: \(page.status) \(page.html.prefix(300))")
    }
}

extension StoreFixture {
    var ownerEmail: String { "owner@\(TestEmail.domain(slug.replacingOccurrences(of: "-", with: ""))).test" }
}

/// What pages need of a product made through the API.
struct ProductRef {
    let id: String
    let slug: String
    let variant: String

    init(_ json: [String: Any]) throws {
        id = try #require(json["id"] as? String)
        slug = try #require(json["slug"] as? String)
        variant = try #require((json["variants"] as? [[String: Any]])?.first?["id"] as? String)
    }
}

extension BrowserClient {
    /// Opens the product's page and adds it to the cart with the page's form; returns the page.
    @discardableResult
    func addToCart(_ product: ProductRef, quantity: Int = 1, host: String) async throws -> Page {
        let page = try await get("/products/\(product.slug)", host: host)
        let added = try await post(
            "/cart/add", host: host, form: ["product": product.slug, "variant": product.variant, "quantity": String(quantity)], csrf: page.csrf)
        try #require(added.status == .seeOther, "add to cart: \(added.status)")
        return page
    }
}
