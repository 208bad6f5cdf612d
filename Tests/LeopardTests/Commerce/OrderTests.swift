import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import LeopardOperations

@Suite("Orders and customers")
struct OrderTests {
    /// A store with one order for `email`; returns the store, order id and variant id.
    func placeOrder(
        _ client: some TestClientProtocol, store: StoreFixture, stock: Int = 5, token: String? = nil
    ) async throws -> (order: String, variant: String) {
        let product = try await client.makeProduct(store, title: "Vase \(UUID().uuidString.prefix(6))", price: 3000, stock: stock)
        let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
        let cart = try await client.makeCart(store, variantID: variant, quantity: 2)
        let order = try await client.call(
            .post, "/api/carts/\(cart.id)/checkout", host: store.host, token: token, json: checkoutBody, headers: [.cartSecret: cart.secret])
        try #require(order.status == .created, "\(order.text)")
        return (try #require(order.json["id"] as? String), variant)
    }

    @Test("only the allowed transitions; cancel puts stock back; the timeline records each step", arguments: TestPlatform.storages)
    func transitions(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Order Flow")
            let (order, variant) = try await placeOrder(client, store: store)
            #expect(try await client.call(.post, "/api/orders/\(order)/fulfill", store: store).status == .conflict)
            let paid = try await client.call(.post, "/api/orders/\(order)/mark-paid", store: store)
            #expect(paid.json["status"] as? String == "paid")
            #expect(try await client.call(.post, "/api/orders/\(order)/cancel", store: store).status == .conflict)
            let fulfilled = try await client.call(.post, "/api/orders/\(order)/fulfill", store: store)
            #expect(fulfilled.json["status"] as? String == "fulfilled")
            #expect((fulfilled.json["events"] as? [[String: Any]])?.compactMap { $0["type"] as? String } == ["placed", "paid", "fulfilled"])

            let (second, secondVariant) = try await placeOrder(client, store: store)
            let cancelled = try await client.call(.post, "/api/orders/\(second)/cancel", store: store, json: ["reason": "customer asked"])
            #expect(cancelled.json["status"] as? String == "cancelled")
            let history = try await client.call(.get, "/api/inventory/adjustments?variant_id=\(secondVariant)", store: store)
            #expect((history.json["data"] as? [[String: Any]])?.first?["reason"] as? String == "order_cancelled")
            #expect((history.json["data"] as? [[String: Any]])?.first?["stockAfter"] as? Int == 5)
            #expect(try await client.call(.post, "/api/orders/\(second)/mark-paid", store: store).status == .conflict)
            _ = variant

            let list = try await client.call(.get, "/api/orders?status=cancelled", store: store)
            #expect((list.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [second])
            #expect(try await client.call(.get, "/api/orders?status=lost", store: store).status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/orders", store: store, staff: false).status == .unauthorized)
        }
    }

    @Test("customers register, sign in and see only their own orders; guests are claimed", arguments: TestPlatform.storages)
    func customers(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Customer Shop")
            // A guest checkout creates a customer by e-mail.
            let (guestOrder, _) = try await placeOrder(client, store: store)
            let listed = try await client.call(.get, "/api/customers?q=shopper", store: store)
            #expect((listed.json["data"] as? [[String: Any]])?.first?["registered"] as? Bool == false)

            let weak = try await client.call(
                .post, "/api/customers/register", store: store, staff: false, json: ["email": "shopper@example.test", "password": "short"])
            #expect(weak.status == .unprocessableContent)
            // Registration is finished by the link mailed to the address (see AccountMailTests).
            let token = try await platform.registerCustomer(client, store: store, email: "Shopper@Example.test", firstName: "Ada")
            let again = try await client.call(
                .post, "/api/customers/register", store: store, staff: false, json: ["email": "shopper@example.test", "password": "long enough pass"])
            #expect(again.status == .accepted, "an address with an account answers as a new one does")

            let mine = try await client.call(.get, "/api/customers/me/orders", host: store.host, token: token)
            #expect((mine.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [guestOrder])
            #expect(try await client.call(.get, "/api/orders/\(guestOrder)", host: store.host, token: token).status == .ok)

            let otherToken = try await platform.registerCustomer(client, store: store, email: "other@example.test")
            #expect(try await client.call(.get, "/api/orders/\(guestOrder)", host: store.host, token: otherToken).status == .notFound)
            #expect(try await client.call(.get, "/api/orders", host: store.host, token: otherToken).status == .unauthorized)

            let wrong = try await client.call(
                .post, "/api/customers/login", store: store, staff: false, json: ["email": "shopper@example.test", "password": "not the password"])
            #expect(wrong.status == .unauthorized)
            let login = try await client.call(
                .post, "/api/customers/login", store: store, staff: false, json: ["email": "shopper@example.test", "password": "long enough pass"])
            #expect(login.status == .ok)

            let address = try await client.call(
                .post, "/api/customers/me/addresses", host: store.host, token: token,
                json: ["address": checkoutBody["shippingAddress"] as Any, "isDefault": true])
            #expect(address.status == .created, "\(address.text)")
            let addresses = try await client.call(.get, "/api/customers/me/addresses", host: store.host, token: token)
            #expect((addresses.json["data"] as? [Any])?.count == 1)

            #expect(try await client.call(.post, "/api/customers/logout", host: store.host, token: token).status == .noContent)
            #expect(try await client.call(.get, "/api/customers/me", host: store.host, token: token).status == .unauthorized)
        }
    }

    @Test("another store's product, cart and order ids are 404 even with that store's staff token", arguments: TestPlatform.storages)
    func isolation(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let first = try await client.makeStore("First Shop")
            let second = try await client.makeStore("Second Shop")
            let product = try await client.makeProduct(first, title: "Only Here", price: 100, stock: 5)
            let productID = try #require(product["id"] as? String)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let cart = try await client.makeCart(first, variantID: variant, quantity: 1)
            let (order, _) = try await placeOrder(client, store: first)

            for uri in ["/api/products/\(productID)", "/api/products/only-here", "/api/carts/\(cart.id)", "/api/orders/\(order)"] {
                let response = try await client.call(.get, uri, host: second.host, token: second.token, headers: [.cartSecret: cart.secret])
                #expect(response.status == .notFound, "\(uri)")
            }
            #expect(try await client.call(.patch, "/api/products/\(productID)", store: second, json: ["title": "Stolen"]).status == .notFound)
            #expect(try await client.call(.delete, "/api/products/\(productID)", store: second).status == .notFound)
            #expect(try await client.call(.post, "/api/orders/\(order)/mark-paid", store: second).status == .notFound)
            let foreignLine = try await client.call(.post, "/api/carts", store: second, staff: false, json: ["items": [["variantId": variant, "quantity": 1]]])
            #expect(foreignLine.status == .unprocessableContent)
            // The first store's token is not valid on the second store's host.
            #expect(try await client.call(.get, "/api/products", host: second.host, token: first.token).status == .unauthorized)
            // Still intact in its own store.
            #expect(try await client.call(.get, "/api/products/\(productID)", store: first).json["title"] as? String == "Only Here")
        }
    }
}

@Suite("Staff sign-in, API keys and settings")
struct StaffAccessTests {
    @Test("sign-in, bearer tokens, logout; admin routes need a token", arguments: TestPlatform.storages)
    func signIn(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Auth Shop")
            #expect(try await client.call(.post, "/api/products", store: store, staff: false, json: ["title": "X", "price": 1]).status == .unauthorized)
            #expect(try await client.call(.get, "/api/products", host: store.host, token: "lps_forged").status == .unauthorized)
            #expect(try await client.call(.get, "/api/settings", store: store, staff: false).status == .unauthorized)
            let me = try await client.call(.get, "/api/auth/me", store: store)
            #expect(me.json["role"] as? String == "owner")
            #expect(
                try await client.call(.post, "/api/auth/login", host: store.host, json: ["email": "owner@authshop.test", "password": "wrong password"]).status
                    == .unauthorized)
            #expect(
                try await client.call(.post, "/api/auth/login", host: store.host, json: ["email": "nobody@authshop.test", "password": "wrong password"]).status
                    == .unauthorized)
            #expect(try await client.call(.post, "/api/auth/logout", store: store).status == .noContent)
            #expect(try await client.call(.get, "/api/auth/me", store: store).status == .unauthorized)
        }
    }

    @Test("failed sign-ins are limited: the eleventh in 15 minutes is a 429, even with the right password")
    func throttled() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Throttle Shop")
            for _ in 0..<10 {
                #expect(
                    try await client.call(.post, "/api/auth/login", host: store.host, json: ["email": "owner@throttleshop.test", "password": "guess guess"])
                        .status == .unauthorized)
            }
            let limited = try await client.call(
                .post, "/api/auth/login", host: store.host, json: ["email": "owner@throttleshop.test", "password": "correct horse battery"])
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
        }
    }

    @Test("API keys: shown once, work as bearer tokens, owner-only, revocable", arguments: TestPlatform.storages)
    func apiKeys(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Key Shop")
            let created = try await client.call(.post, "/api/api-keys", store: store, json: ["name": "importer"])
            #expect(created.status == .created)
            let secret = try #require(created.json["secret"] as? String)
            let id = try #require(created.json["id"] as? String)
            let list = try await client.call(.get, "/api/api-keys", store: store)
            #expect((list.json["data"] as? [[String: Any]])?.first?["secret"] == nil)

            let viaKey = try await client.call(.post, "/api/products", host: store.host, token: secret, json: ["title": "By key", "price": 100])
            #expect(viaKey.status == .created)
            // A key acts as staff, not owner.
            #expect(try await client.call(.post, "/api/api-keys", host: store.host, token: secret, json: ["name": "x"]).status == .forbidden)

            let invited = try await client.call(.post, "/api/staff", store: store, json: ["email": "clerk@keyshop.test", "password": "clerk password"])
            #expect(invited.status == .created)
            #expect(try await client.call(.post, "/api/staff", store: store, json: ["email": "clerk@keyshop.test"]).status == .conflict)
            let clerk = try await client.call(.post, "/api/auth/login", host: store.host, json: ["email": "clerk@keyshop.test", "password": "clerk password"])
            let clerkToken = try #require(clerk.json["token"] as? String)
            #expect(try await client.call(.get, "/api/staff", host: store.host, token: clerkToken).status == .forbidden)

            // An invitation without a password: the mailed setup link sets one, once.
            let invite = try await client.call(.post, "/api/staff", store: store, json: ["email": "packer@keyshop.test"])
            #expect(invite.json["setupToken"] == nil)
            let setupToken = try await platform.mailedToken(to: "packer@keyshop.test", store: store, path: "/admin/setup")
            #expect(
                try await client.call(.post, "/api/auth/setup", host: store.host, json: ["token": setupToken, "password": "short"]).status
                    == .unprocessableContent)
            let setup = try await client.call(.post, "/api/auth/setup", host: store.host, json: ["token": setupToken, "password": "packer password"])
            #expect(setup.status == .ok)
            #expect(
                try await client.call(.post, "/api/auth/setup", host: store.host, json: ["token": setupToken, "password": "packer password"]).status
                    == .unauthorized)
            #expect(
                try await client.call(.post, "/api/auth/login", host: store.host, json: ["email": "packer@keyshop.test", "password": "packer password"]).status
                    == .ok)

            #expect(try await client.call(.delete, "/api/api-keys/\(id)", store: store).status == .noContent)
            #expect(try await client.call(.get, "/api/products", host: store.host, token: secret).status == .unauthorized)
        }
    }

    @Test("settings: tax with two decimals, ISO currencies, currency fixed once orders exist", arguments: TestPlatform.storages)
    func settings(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Settings Shop")
            let saved = try await client.call(
                .put, "/api/settings", store: store, json: ["taxRate": 7.5, "currency": "eur", "theme": ["primaryColor": "#112233", "preset": "fresh"]])
            #expect(saved.status == .ok, "\(saved.text)")
            #expect(saved.json["currency"] as? String == "EUR")
            for (body, field) in [
                (#"{"taxRate": 8.255}"#, "taxRate"), (#"{"taxRate": -1}"#, "taxRate"), (#"{"currency": "XYZ"}"#, "currency"),
                (#"{"shippingRate": 1.5}"#, "shippingRate"), (#"{"theme": {"primaryColor": "red"}}"#, "theme.primaryColor"),
                (#"{"contactEmail": "not-mail"}"#, "contactEmail"),
            ] {
                let response = try await client.call(.put, "/api/settings", store: store, raw: body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(response.errorFields == [field], "\(body): \(response.text)")
            }
            let product = try await client.makeProduct(store, title: "Euro Thing", price: 100, stock: 2)
            #expect((product["price"] as? [String: Any])?["currency"] as? String == "EUR")
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let cart = try await client.makeCart(store, variantID: variant, quantity: 1)
            _ = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
            #expect(try await client.call(.put, "/api/settings", store: store, json: ["currency": "USD"]).status == .conflict)
            let read = try await client.call(.get, "/api/settings", store: store)
            #expect(read.json["taxRate"] as? Double == 7.5)
        }
    }
}

@Suite(
    "PostgreSQL: commerce",
    .serialized,
    .enabled(if: PostgresTestCluster.isAvailable, Comment(rawValue: PostgresTestCluster.skipReason))
)
struct PostgresCommerceTests {
    @Test("listing, filters and tsvector search")
    func listing() async throws {
        try await TestPlatform.withPlatform(.postgres) { _, client in try await listingScenario(client) }
    }

    @Test("100 concurrent checkouts against a stock of 10, with row locks")
    func race() async throws {
        try await TestPlatform.withPlatform(.postgres) { _, client in try await raceScenario(client) }
    }
}
