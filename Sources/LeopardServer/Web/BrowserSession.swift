import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import LeopardCore
import LeopardWeb
import NIOCore

/// The cookies a browser carries on a store's host (or the platform's) and the form token that
/// every POST must send back.
///
/// Cookies are host-only (no `Domain`), `HttpOnly`, `SameSite=Lax`, and over https
/// (`X-Forwarded-Proto: https` from the proxy in front) `Secure` and named with the `__Host-`
/// prefix, which browsers accept only from the host itself: a sibling store's subdomain cannot
/// plant one with `Domain=` (cookie tossing). A store's cookies never reach another store's
/// subdomain, and a cookie presented on the wrong host is looked up in that store's database,
/// where it matches nothing.
///
/// The form token is an HMAC, under a key derived from the platform key, of the host's tenant
/// id and what the browser's session is: the staff session token when signed in to the admin,
/// otherwise a random `lp_csrf` cookie. Another site cannot read either, so it cannot forge the
/// token; a sibling subdomain that planted its own `lp_csrf` cookie still could not sign in as
/// the merchant, whose admin forms are bound to the session.
struct BrowserSession: Sendable {
    static let anonymousCookie = "lp_csrf"
    static let cartCookie = "lp_cart"
    static let adminCookie = "lp_admin"
    static let customerCookie = "lp_customer"
    static let consoleCookie = "lp_console"
    static let formField = "_csrf"

    let key: SymmetricKey

    struct Binding: Sendable {
        /// The value the token is bound to.
        let value: String
        /// A new anonymous cookie to set on the response, when the request had none.
        let newCookie: String?
    }

    /// What a form on this page is bound to: the given session, or the anonymous cookie (made
    /// now when missing).
    static func binding(_ request: Request, session: String?) -> Binding {
        if let session { return Binding(value: session, newCookie: nil) }
        if let existing = read(anonymousCookie, request), existing.utf8.count >= 20, existing.utf8.count <= 64 {
            return Binding(value: existing, newCookie: nil)
        }
        let fresh = SecureToken.make()
        return Binding(value: fresh, newCookie: fresh)
    }

    func token(scope: String, binding: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(scope)\n\(binding)".utf8), using: key)
        return Base64URL.encode(Data(mac))
    }

    /// True when `presented` is the token for this scope and binding (compared in constant time).
    func verify(_ presented: String?, scope: String, binding: String?) -> Bool {
        guard let presented, let binding, let bytes = Base64URL.decode(presented) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Data("\(scope)\n\(binding)".utf8), using: key)
    }

    /// Refuses a form whose token is missing or wrong, or whose browser brought no form cookie
    /// at all (its binding was made for this very request).
    func check(_ presented: String?, scope: String, binding: Binding) throws {
        guard binding.newCookie == nil, verify(presented, scope: scope, binding: binding.value) else { throw FormTokenRefused() }
    }

    /// A posted `application/x-www-form-urlencoded` body (at most 64 KiB).
    static func readForm(_ request: Request) async throws -> FormFields {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: 64 * 1024)
        } catch is NIOTooManyBytesError {
            throw Problem.payloadTooLarge(limit: 64 * 1024)
        }
        let encoded = String(buffer: buffer)
        // No text a store keeps may hold a NUL character (PostgreSQL refuses one in text).
        if encoded.range(of: "%00", options: .caseInsensitive) != nil || buffer.readableBytesView.contains(0) {
            throw Problem.badRequest("A field holds a NUL character; remove it and send the form again.")
        }
        return FormFields(encoded: encoded)
    }

    static func isSecure(_ request: Request) -> Bool {
        request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https" || request.head.scheme == "https"
    }

    /// The name a cookie has on this request's scheme.
    static func name(_ name: String, _ request: Request) -> String {
        isSecure(request) ? "__Host-" + name : name
    }

    /// A cookie's value; over https only the `__Host-` cookie counts.
    static func read(_ name: String, _ request: Request) -> String? {
        request.cookies[Self.name(name, request)]?.value
    }

    static func cookie(_ name: String, _ value: String, request: Request, maxAge: Int? = nil) -> Cookie {
        (try? Cookie.validated(
            name: Self.name(name, request), value: value, maxAge: maxAge, path: "/", secure: isSecure(request), httpOnly: true, sameSite: .lax))
            ?? Cookie(name: Self.name(name, request), value: "", maxAge: 0, path: "/")
    }

    static func expired(_ name: String, request: Request) -> Cookie {
        Cookie(name: Self.name(name, request), value: "", maxAge: 0, path: "/", secure: isSecure(request), httpOnly: true, sameSite: .lax)
    }
}

/// A POST without the right form token: nothing is done.
struct FormTokenRefused: Error {}
