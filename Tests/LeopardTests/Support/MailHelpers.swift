import Foundation
import HummingbirdTesting
import LeopardStorage
import Testing

@testable import LeopardOperations

extension TestPlatform {
    /// Sends a store's due mail now (tests run the worker's passes themselves), then returns
    /// what reached `address` in the store's mail folder.
    func mail(to address: String, store: StoreFixture) async throws -> [ReceivedMail] {
        await services.webhookDispatcher.deliverMail(tenantID: store.id)
        return try MailFolder(platform: self, slug: store.slug).to(address)
    }

    /// The single-use token of the newest mail to `address` with a link to `path`.
    func mailedToken(to address: String, store: StoreFixture, path: String) async throws -> String {
        let mails = try await mail(to: address, store: store)
        return try #require(mails.compactMap { $0.token(in: path) }.last, "no mail to \(address) with a link to \(path): \(mails.map(\.subject))")
    }

    /// Registers a shopper the way a shopper does: the API's answer, the mailed link, the
    /// verification that signs them in. Returns the customer's session token.
    func registerCustomer(
        _ client: some TestClientProtocol, store: StoreFixture, email: String, password: String = "long enough pass", firstName: String? = nil
    ) async throws -> String {
        var body: [String: Any] = ["email": email, "password": password]
        if let firstName { body["firstName"] = firstName }
        let registered = try await client.call(.post, "/api/customers/register", store: store, staff: false, json: body)
        try #require(registered.status == .accepted, "register: \(registered.text)")
        let token = try await mailedToken(to: email, store: store, path: "/account/verify")
        let verified = try await client.call(.post, "/api/customers/verify", host: store.host, json: ["token": token, "password": password])
        try #require(verified.status == .ok, "verify: \(verified.text)")
        return try #require(verified.json["token"] as? String)
    }
}

extension TestPlatform {
    /// Runs `body` on a store's database, as the server opens it.
    func withStoreDatabase<T: Sendable>(_ store: StoreFixture, _ body: @Sendable (any DatabaseHandle) async throws -> T) async throws -> T {
        let tenant = try #require(try await services.registry.find(id: store.id))
        return try await services.databases.withDatabase(tenantID: tenant.id, location: tenant.database, body)
    }
}

extension TestClientProtocol {
    /// One item in a new cart, checked out as a guest (or signed in with `customerToken`);
    /// returns the order's id.
    func checkout(_ store: StoreFixture, variantID: String, email: String, customerToken: String? = nil) async throws -> String {
        let cart = try await call(.post, "/api/carts", host: store.host, token: customerToken, json: ["items": [["variantId": variantID, "quantity": 1]]])
        try #require(cart.status == .created, "create cart: \(cart.text)")
        let (id, secret) = (try #require(cart.json["id"] as? String), try #require(cart.json["secret"] as? String))
        var body = checkoutBody
        body["email"] = email
        let order = try await call(.post, "/api/carts/\(id)/checkout", host: store.host, token: customerToken, json: body, headers: [.cartSecret: secret])
        try #require(order.status == .created, "checkout: \(order.text)")
        return try #require(order.json["id"] as? String)
    }
}

extension BrowserClient {
    /// Opens the verification link mailed to `email` and confirms it, as a shopper does: the
    /// link's page, then its form. Leaves the browser signed in.
    func followVerification(_ platform: TestPlatform, store: StoreFixture, email: String, password: String) async throws {
        let token = try await platform.mailedToken(to: email, store: store, path: "/account/verify")
        let page = try await get("/account/verify?token=\(token)", host: store.host)
        try #require(page.status == .ok)
        let confirmed = try await post("/account/verify", host: store.host, form: ["token": token, "password": password], csrf: page.csrf)
        try #require(confirmed.status == .seeOther && confirmed.location == "/account", "verify: \(confirmed.status)")
    }
}
