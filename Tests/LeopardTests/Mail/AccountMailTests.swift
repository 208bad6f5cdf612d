import Foundation
import LeopardCommerce
import Testing

@testable import LeopardOperations

/// Registration, verification and password resets, followed through the mail they send (the
/// `.eml` files a platform with no SMTP server writes).
@Suite("Accounts by mail: verification, resets, invites")
struct AccountMailTests {
    @Test("registration answers the same for a new and a taken address, and mails each its own note", arguments: TestPlatform.storages)
    func registrationDoesNotEnumerate(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Enum Shop")
            _ = try await platform.registerCustomer(client, store: store, email: "ada@example.test")
            let taken = try await client.call(
                .post, "/api/customers/register", store: store, staff: false, json: ["email": "ada@example.test", "password": "another password"])
            let fresh = try await client.call(
                .post, "/api/customers/register", store: store, staff: false, json: ["email": "bob@example.test", "password": "another password"])
            #expect(taken.status == .accepted && fresh.status == .accepted)
            #expect(taken.text == fresh.text, "the answer does not tell the two apart")
            let adaMails = try await platform.mail(to: "ada@example.test", store: store)
            #expect(adaMails.last?.subject.hasPrefix("You already have an account") == true)
            #expect(adaMails.last?.token(in: "/account/") == nil, "no link that changes anything")
            let bobMails = try await platform.mail(to: "bob@example.test", store: store)
            #expect(bobMails.count == 1 && bobMails.first?.token(in: "/account/verify") != nil)
            // The taken account's password is unchanged; the stranger's is not set.
            let adaLogin = try await client.call(
                .post, "/api/customers/login", store: store, staff: false, json: ["email": "ada@example.test", "password": "long enough pass"])
            #expect(adaLogin.status == .ok)
            let bobLogin = try await client.call(
                .post, "/api/customers/login", store: store, staff: false, json: ["email": "bob@example.test", "password": "another password"])
            #expect(bobLogin.status == .unauthorized, "no account before the link is followed")
        }
    }

    @Test("registering a past guest's address reads none of their orders; the owner of the address can claim them")
    func guestTakeover() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Takeover Shop")
            let product = try ProductRef(try await client.makeProduct(store, title: "Lamp", price: 1500, stock: 5))
            let guestOrder = try await client.checkout(store, variantID: product.variant, email: "victim@example.test")
            // The thief registers the victim's address with a password of their own.
            let thief = try await client.call(
                .post, "/api/customers/register", store: store, staff: false, json: ["email": "victim@example.test", "password": "thief password"])
            #expect(thief.status == .accepted)
            #expect(thief.json["token"] == nil)
            let thiefLogin = try await client.call(
                .post, "/api/customers/login", store: store, staff: false, json: ["email": "victim@example.test", "password": "thief password"])
            #expect(thiefLogin.status == .unauthorized)
            // The victim follows the link the thief's registration mailed them: without the
            // thief's password it creates nothing, and it is not used up.
            let thiefsLink = try await platform.mailedToken(to: "victim@example.test", store: store, path: "/account/verify")
            let followed = try await client.call(.post, "/api/customers/verify", host: store.host, json: ["token": thiefsLink, "password": "victim password"])
            #expect(followed.status == .unauthorized)
            // The link went to the victim's mailbox; a reset by the victim gives them the account and its orders.
            _ = try await client.call(.post, "/api/customers/password-reset", store: store, staff: false, json: ["email": "victim@example.test"])
            let reset = try await platform.mailedToken(to: "victim@example.test", store: store, path: "/account/reset-password")
            let session = try await client.call(
                .post, "/api/customers/password-reset/confirm", host: store.host, json: ["token": reset, "password": "victim password"])
            #expect(session.status == .ok, "\(session.text)")
            let token = try #require(session.json["token"] as? String)
            let mine = try await client.call(.get, "/api/customers/me/orders", host: store.host, token: token)
            #expect((mine.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [guestOrder])
            // The thief's pending registration link no longer works: the address has an account now.
            let stale = try await platform.mailedToken(to: "victim@example.test", store: store, path: "/account/verify")
            let late = try await client.call(.post, "/api/customers/verify", host: store.host, json: ["token": stale, "password": "thief password"])
            #expect(late.status == .conflict)
            #expect(
                try await client.call(
                    .post, "/api/customers/login", store: store, staff: false, json: ["email": "victim@example.test", "password": "thief password"]
                ).status == .unauthorized)
        }
    }

    @Test("an anonymous order with a registered customer's address stays out of their account")
    func anonymousOrderStaysOut() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Stranger Shop")
            let product = try ProductRef(try await client.makeProduct(store, title: "Mug", price: 900, stock: 5))
            let token = try await platform.registerCustomer(client, store: store, email: "carol@example.test")
            let own = try await client.checkout(store, variantID: product.variant, email: "carol@example.test", customerToken: token)
            let stranger = try await client.checkout(store, variantID: product.variant, email: "carol@example.test")
            let mine = try await client.call(.get, "/api/customers/me/orders", host: store.host, token: token)
            #expect((mine.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [own])
            #expect(try await client.call(.get, "/api/orders/\(stranger)", host: store.host, token: token).status == .notFound)
            #expect(try await client.call(.get, "/api/orders/\(own)", host: store.host, token: token).status == .ok)
        }
    }

    @Test("a reset answers the same for unknown addresses, works once within the hour, and ends other sessions")
    func customerReset() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Reset Shop")
            let old = try await platform.registerCustomer(client, store: store, email: "dan@example.test")
            let known = try await client.call(.post, "/api/customers/password-reset", store: store, staff: false, json: ["email": "dan@example.test"])
            let unknown = try await client.call(.post, "/api/customers/password-reset", store: store, staff: false, json: ["email": "nobody@example.test"])
            #expect(known.status == .accepted && known.text == unknown.text)
            #expect(try await platform.mail(to: "nobody@example.test", store: store).isEmpty)
            let token = try await platform.mailedToken(to: "dan@example.test", store: store, path: "/account/reset-password")
            let weak = try await client.call(.post, "/api/customers/password-reset/confirm", host: store.host, json: ["token": token, "password": "short"])
            #expect(weak.status == .unprocessableContent)
            let done = try await client.call(
                .post, "/api/customers/password-reset/confirm", host: store.host, json: ["token": token, "password": "brand new pass"])
            #expect(done.status == .ok)
            let again = try await client.call(
                .post, "/api/customers/password-reset/confirm", host: store.host, json: ["token": token, "password": "other new pass"])
            #expect(again.status == .unauthorized)
            #expect(try await client.call(.get, "/api/customers/me", host: store.host, token: old).status == .unauthorized)
            let login = try await client.call(
                .post, "/api/customers/login", store: store, staff: false, json: ["email": "dan@example.test", "password": "brand new pass"])
            #expect(login.status == .ok)
            // A link from another store does nothing here.
            let other = try await client.makeStore("Other Reset Shop")
            #expect(
                try await client.call(.post, "/api/customers/password-reset/confirm", host: other.host, json: ["token": token, "password": "brand new pass"])
                    .status == .unauthorized)
        }
    }

    @Test("an expired reset link does not work")
    func expiredLink() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Expiry Shop")
            _ = try await platform.registerCustomer(client, store: store, email: "eve@example.test")
            let (hasher, sender) = (platform.services.passwordHasher, platform.services.mailer.sender)
            try await platform.withStoreDatabase(store) { database in
                try await Customers(database: database, hasher: hasher).requestPasswordReset(
                    email: "eve@example.test", mail: sender, now: Date().addingTimeInterval(-3700))
            }
            let token = try await platform.mailedToken(to: "eve@example.test", store: store, path: "/account/reset-password")
            let used = try await platform.withStoreDatabase(store) { database in
                try await Customers(database: database, hasher: hasher).resetPassword(token: token, password: "a new password")
            }
            #expect(used == nil)
        }
    }

    @Test("staff: the invite mails a link (no token in the answer); a reset mails another; each works once")
    func staffInviteAndReset() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Staff Mail Shop")
            let invited = try await client.call(.post, "/api/staff", store: store, json: ["email": "clerk@staffmail.test"])
            #expect(invited.status == .created)
            #expect(invited.json["setupToken"] == nil && !invited.text.contains("token"))
            let setup = try await platform.mailedToken(to: "clerk@staffmail.test", store: store, path: "/admin/setup")
            // A reset for a member without a password sends nothing and leaves the invite link alone.
            _ = try await client.call(.post, "/api/auth/password-reset", host: store.host, json: ["email": "clerk@staffmail.test"])
            #expect(try await platform.mail(to: "clerk@staffmail.test", store: store).count == 1)
            let first = try await client.call(.post, "/api/auth/setup", host: store.host, json: ["token": setup, "password": "clerk password"])
            #expect(first.status == .ok)
            let firstSession = try #require(first.json["token"] as? String)
            #expect(
                try await client.call(.post, "/api/auth/setup", host: store.host, json: ["token": setup, "password": "clerk password"]).status == .unauthorized)

            let known = try await client.call(.post, "/api/auth/password-reset", host: store.host, json: ["email": "clerk@staffmail.test"])
            let unknown = try await client.call(.post, "/api/auth/password-reset", host: store.host, json: ["email": "ghost@staffmail.test"])
            #expect(known.status == .accepted && known.text == unknown.text)
            let reset = try await platform.mailedToken(to: "clerk@staffmail.test", store: store, path: "/admin/setup")
            #expect(reset != setup)
            let confirmed = try await client.call(
                .post, "/api/auth/password-reset/confirm", host: store.host, json: ["token": reset, "password": "new clerk pass"])
            #expect(confirmed.status == .ok)
            #expect(try await client.call(.get, "/api/auth/me", host: store.host, token: firstSession).status == .unauthorized, "old sessions end")
            let login = try await client.call(
                .post, "/api/auth/login", host: store.host, json: ["email": "clerk@staffmail.test", "password": "new clerk pass"])
            #expect(login.status == .ok)
        }
    }

    @Test("the owner gets a welcome mail with the store's links")
    func welcome() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Welcome Shop")
            let mails = try await platform.mail(to: "owner@\(TestEmail.domain("Welcome Shop")).test", store: store)
            let welcome = try #require(mails.first { $0.subject.hasPrefix("Your store") })
            #expect(welcome.subject == "Your store Welcome Shop is ready")
            #expect(welcome.text.contains("http://\(store.slug).localhost:8080/admin"))
        }
    }
}
