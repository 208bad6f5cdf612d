import Foundation
import HummingbirdTesting
import LeopardCore
import LeopardStorage
import SQLKit
import Testing

@testable import LeopardServer

/// Mailed links that bring a cart back: the recovery mail for an abandoned checkout, and a
/// draft order's payment link. Each works once, gives the cart a new secret, and never opens
/// another store's cart.
@Suite("Cart links: recovery mail and draft payment links")
struct CartLinkTests {
    struct CartBody: Decodable {
        let id: String
        let status: String
        let secret: String?
        let preparedByStore: Bool
        let linkSentAt: String?
        let itemCount: Int
    }

    struct DraftBody: Decodable {
        let id: String
        let status: String
        let orderId: String?
        let cart: CartBody
    }

    @Test("a recovery mail's link restores the cart once, with a new secret", arguments: TestPlatform.storages)
    func recovery(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Recover Shop")
            let variant = try ProductRef(try await client.makeProduct(store, title: "Teapot", price: 4200, stock: 5)).variant
            let made = try await client.call(
                .post, "/api/carts", store: store, staff: false, json: ["email": "left@example.test", "items": [["variantId": variant, "quantity": 2]]])
            let cart = try made.decode(CartBody.self)
            let oldSecret = try #require(cart.secret)

            #expect(try await client.call(.post, "/api/checkouts/\(cart.id)/recovery-email", store: store, staff: false).status == .unauthorized)
            let other = try await client.makeStore("Other Recover Shop")
            #expect(try await client.call(.post, "/api/checkouts/\(cart.id)/recovery-email", store: other).status == .notFound)
            let sent = try await client.call(.post, "/api/checkouts/\(cart.id)/recovery-email", store: store)
            #expect(sent.status == .ok, "\(sent.text)")
            #expect(try sent.decode(CartBody.self).linkSentAt != nil)

            let mails = try await platform.mail(to: "left@example.test", store: store)
            let mail = try #require(mails.last { $0.subject.contains("left something") }, "\(mails.map(\.subject))")
            #expect(mail.text.contains("Teapot") && mail.html?.contains("Teapot") == true, "the mail shows what is in the cart")
            let token = try #require(mail.token(in: "/cart/restore"))

            let elsewhere = try await client.call(.post, "/api/carts/restore", host: other.host, json: ["token": token])
            #expect(elsewhere.status == .notFound, "a link opens only its own store's cart")
            let restored = try await client.call(.post, "/api/carts/restore", host: store.host, json: ["token": token])
            #expect(restored.status == .ok, "\(restored.text)")
            let back = try restored.decode(CartBody.self)
            #expect(back.id == cart.id && back.itemCount == 2 && back.secret != nil && back.secret != oldSecret)
            let newSecret = try #require(back.secret)
            let withOld = try await client.call(.get, "/api/carts/\(cart.id)", host: store.host, headers: [.cartSecret: oldSecret])
            #expect(withOld.status == .notFound, "the secret before the link stops working")
            let withNew = try await client.call(.get, "/api/carts/\(cart.id)", host: store.host, headers: [.cartSecret: newSecret])
            #expect(withNew.status == .ok)
            let twice = try await client.call(.post, "/api/carts/restore", host: store.host, json: ["token": token])
            #expect(twice.status == .notFound, "a link works once")
            #expect(
                try await client.call(.post, "/api/carts/restore", host: store.host, json: ["token": String(repeating: "x", count: 500)]).status == .notFound)

            let log = try await client.call(.get, "/api/audit-log?action=checkout", store: store)
            #expect((log.json["data"] as? [[String: Any]])?.compactMap { $0["action"] as? String } == ["checkout.recovery_sent"])
        }
    }

    @Test("a recovery mail goes only to an open shopper's cart; a link to a cart that became an order says so")
    func recoveryRefusals() async throws {
        try await TestPlatform.withPlatform(.sqlite) { platform, client in
            let store = try await client.makeStore("Refuse Recover Shop")
            let variant = try ProductRef(try await client.makeProduct(store, title: "Cup", price: 900, stock: 5)).variant
            let anonymous = try await client.call(.post, "/api/carts", store: store, staff: false, json: ["items": [["variantId": variant, "quantity": 1]]])
            let anonymousID = try anonymous.decode(CartBody.self).id
            #expect(try await client.call(.post, "/api/checkouts/\(anonymousID)/recovery-email", store: store).status == .conflict, "no address")
            #expect(try await client.call(.post, "/api/checkouts/cart_nope/recovery-email", store: store).status == .notFound)

            let made = try await client.call(
                .post, "/api/carts", store: store, staff: false, json: ["email": "later@example.test", "items": [["variantId": variant, "quantity": 1]]])
            let cart = try made.decode(CartBody.self)
            #expect(try await client.call(.post, "/api/checkouts/\(cart.id)/recovery-email", store: store).status == .ok)
            let token = try await platform.mailedToken(to: "later@example.test", store: store, path: "/cart/restore")
            var body = checkoutBody
            body["paymentMethod"] = "bank_transfer"
            let placed = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: body, headers: [.cartSecret: try #require(cart.secret)])
            #expect(placed.status == .created)
            let late = try await client.call(.post, "/api/carts/restore", host: store.host, json: ["token": token])
            #expect(late.status == .conflict, "the cart is an order: \(late.text)")
            let mine = try await client.call(.get, "/api/carts/\(cart.id)", host: store.host, headers: [.cartSecret: try #require(cart.secret)])
            #expect(mine.status == .ok, "the shopper who ordered keeps their cart's secret")
            #expect(try await client.call(.post, "/api/checkouts/\(cart.id)/recovery-email", store: store).status == .conflict)
        }
    }

    @Test("a draft's payment link: the customer pays what the store prepared, and the draft completes", arguments: TestPlatform.storages)
    func draftLink(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Draft Link Shop")
            let variant = try ProductRef(try await client.makeProduct(store, title: "Lamp", price: 8000, stock: 4)).variant
            let address: [String: Any] = ["name": "Ada Buyer", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"]
            let created = try await client.call(
                .post, "/api/draft-orders", store: store,
                json: ["email": "buyer@example.test", "lines": [["variantId": variant, "quantity": 2]], "shippingAddress": address])
            let draft = try created.decode(DraftBody.self)
            #expect(draft.cart.preparedByStore)
            #expect(try await client.call(.post, "/api/checkouts/\(draft.cart.id)/recovery-email", store: store).status == .conflict, "not a shopper's cart")

            let sent = try await client.call(.post, "/api/draft-orders/\(draft.id)/send-link", store: store)
            #expect(sent.status == .ok, "\(sent.text)")
            let mails = try await platform.mail(to: "buyer@example.test", store: store)
            let mail = try #require(mails.last { $0.subject.contains("Your order from") }, "\(mails.map(\.subject))")
            #expect(mail.text.contains("Lamp"))
            let token = try #require(mail.token(in: "/cart/restore"))

            let restored = try await client.call(.post, "/api/carts/restore", host: store.host, json: ["token": token])
            let cart = try restored.decode(CartBody.self)
            let secret = try #require(cart.secret)
            #expect(cart.id == draft.cart.id && cart.preparedByStore)
            let more = try await client.call(
                .post, "/api/carts/\(cart.id)/items", host: store.host, json: ["variantId": variant, "quantity": 1], headers: [.cartSecret: secret])
            #expect(more.status == .conflict, "the customer cannot change what the store prepared: \(more.text)")
            let code = try await client.call(
                .post, "/api/carts/\(cart.id)/discounts", host: store.host, json: ["code": "ANY"], headers: [.cartSecret: secret])
            #expect(code.status == .conflict)

            var body = checkoutBody
            body["email"] = "buyer@example.test"
            body["paymentMethod"] = "bank_transfer"
            let placed = try await client.call(.post, "/api/carts/\(cart.id)/checkout", host: store.host, json: body, headers: [.cartSecret: secret])
            #expect(placed.status == .created, "\(placed.text)")
            let orderID = try #require(placed.json["id"] as? String)
            #expect((placed.json["lines"] as? [[String: Any]])?.first?["quantity"] as? Int == 2)
            let read = try await client.call(.get, "/api/draft-orders/\(draft.id)", store: store).decode(DraftBody.self)
            #expect(read.status == "completed" && read.orderId == orderID, "the customer's checkout completed the draft")
            #expect(try await client.call(.post, "/api/draft-orders/\(draft.id)/send-link", store: store).status == .conflict)
            let markPaid = try await client.call(.post, "/api/draft-orders/\(draft.id)/complete", store: store, json: ["markPaid": true])
            #expect(markPaid.status == .conflict, "the customer's own order is not marked paid from the draft: \(markPaid.text)")
            let completed = try await client.call(.post, "/api/draft-orders/\(draft.id)/complete", store: store, json: [:])
            #expect(completed.json["id"] as? String == orderID, "completing it again gives the same order")
            #expect(completed.json["status"] as? String == "pending")
        }
    }

    @Test("in the browser: the link opens a button, which opens the checkout; admin buttons send both mails")
    func pages() async throws {
        try await TestPlatform.withPlatform(.sqlite) { platform, client in
            let store = try await client.makeStore("Link Page Shop")
            let variant = try ProductRef(try await client.makeProduct(store, title: "Rug", price: 12000, stock: 4)).variant
            let address: [String: Any] = ["name": "Ada Buyer", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"]
            let draft = try await client.call(
                .post, "/api/draft-orders", store: store,
                json: ["email": "rug@example.test", "lines": [["variantId": variant, "quantity": 1]], "shippingAddress": address]
            ).decode(DraftBody.self)
            let admin = BrowserClient(client)
            try await admin.signInToAdmin(host: store.host, email: store.ownerEmail)
            let draftPage = try await admin.get("/admin/drafts/\(draft.id)", host: store.host)
            #expect(draftPage.html.contains("/admin/drafts/\(draft.id)/send-link"))
            let forged = try await admin.post("/admin/drafts/\(draft.id)/send-link", host: store.host, form: [:], csrf: nil)
            #expect(forged.status == .forbidden, "a form without its token sends nothing")
            let sent = try await admin.post("/admin/drafts/\(draft.id)/send-link", host: store.host, form: [:], csrf: draftPage.csrf)
            #expect(sent.status == .seeOther && sent.location == "/admin/drafts/\(draft.id)?sent=1")
            #expect(try await admin.get("/admin/drafts/\(draft.id)?sent=1", host: store.host).html.contains("Payment link last sent"))

            let token = try await platform.mailedToken(to: "rug@example.test", store: store, path: "/cart/restore")
            let shopper = BrowserClient(client)
            let page = try await shopper.get("/cart/restore?token=\(token)", host: store.host)
            #expect(page.status == .ok && page.html.contains("Open my cart"))
            let opened = try await shopper.post("/cart/restore", host: store.host, form: ["token": token], csrf: page.csrf)
            #expect(opened.status == .seeOther && opened.location == "/checkout")
            #expect(shopper.cookie("lp_cart", host: store.host)?.hasPrefix(draft.cart.id + ".") == true)
            let cartPage = try await shopper.get("/cart", host: store.host)
            #expect(cartPage.html.contains("Rug") && cartPage.html.contains("The store prepared this order") && !cartPage.html.contains("/cart/update"))
            let stranger = BrowserClient(client)
            let strangerPage = try await stranger.get("/cart/restore?token=\(token)", host: store.host)
            let again = try await stranger.post("/cart/restore", host: store.host, form: ["token": token], csrf: strangerPage.csrf)
            #expect(again.status == .notFound && again.html.contains("does not work any more"), "a used link opens nothing: \(again.status)")
            #expect(stranger.cookie("lp_cart", host: store.host) == nil)

            let left = try await client.call(
                .post, "/api/carts", store: store, staff: false, json: ["email": "left@example.test", "items": [["variantId": variant, "quantity": 1]]]
            ).decode(CartBody.self)
            let old = Date().addingTimeInterval(-7 * 3600).stamp
            try await platform.withStoreDatabase(store) { database in
                try await database.write { sql in try await sql.raw("UPDATE carts SET updated_at = \(bind: old) WHERE id = \(bind: left.id)").run() }
            }
            let abandoned = try await admin.get("/admin/drafts/abandoned", host: store.host)
            #expect(abandoned.html.contains("/admin/drafts/abandoned/\(left.id)/recover"))
            let recovered = try await admin.post(
                "/admin/drafts/abandoned/\(left.id)/recover", host: store.host, form: ["hours": "6"], csrf: abandoned.csrf)
            #expect(recovered.status == .seeOther && recovered.location == "/admin/drafts/abandoned?hours=6&sent=1")
            #expect(try await platform.mail(to: "left@example.test", store: store).contains { $0.token(in: "/cart/restore") != nil })
        }
    }

    @Test("a cart someone made with another person's address does not file that person's order under the maker's account")
    func foreignAddress() async throws {
        try await TestPlatform.withPlatform(.sqlite) { platform, client in
            let store = try await client.makeStore("Foreign Cart Shop")
            let variant = try ProductRef(try await client.makeProduct(store, title: "Kettle", price: 3000, stock: 5)).variant
            let thief = try await platform.registerCustomer(client, store: store, email: "thief@example.test")
            let made = try await client.call(
                .post, "/api/carts", host: store.host, token: thief, json: ["email": "victim@example.test", "items": [["variantId": variant, "quantity": 1]]])
            let cart = try made.decode(CartBody.self)
            #expect(try await client.call(.post, "/api/checkouts/\(cart.id)/recovery-email", store: store).status == .ok)
            let token = try await platform.mailedToken(to: "victim@example.test", store: store, path: "/cart/restore")
            let restored = try await client.call(.post, "/api/carts/restore", host: store.host, json: ["token": token]).decode(CartBody.self)
            var body = checkoutBody
            body["email"] = "victim@example.test"
            body["paymentMethod"] = "bank_transfer"
            let placed = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", host: store.host, json: body, headers: [.cartSecret: try #require(restored.secret)])
            #expect(placed.status == .created, "\(placed.text)")
            let mine = try await client.call(.get, "/api/customers/me/orders", host: store.host, token: thief)
            #expect((mine.json["data"] as? [Any])?.isEmpty == true, "the victim's order is not in the thief's account")
        }
    }
}
