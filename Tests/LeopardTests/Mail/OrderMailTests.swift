import Foundation
import LeopardCommerce
import SQLKit
import Testing

@testable import LeopardOperations

/// The mails an order sends, the owner's view of the queue, and delivery through a real SMTP
/// server that fails on the first try.
@Suite("Order mail and the mail queue")
struct OrderMailTests {
    @Test("a mail batch reads its orders together once; each order mail uses the batch's copy")
    func batchOrders() async throws {
        try await TestPlatform.withPlatform(.sqlite) { platform, client in
            let store = try await client.makeStore("Batch Mail Shop")
            let variant = try ProductRef(try await client.makeProduct(store, title: "Lamp", price: 1000, stock: 5)).variant
            let orderID = try await SalesReportTests.place(platform, store, variant: variant, quantity: 1, at: "2026-03-01T00:10:00.000Z")
            let tenant = try #require(try await platform.services.registry.find(id: store.id))
            try await platform.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                let settings = try #require(try await StoreSettings.load(from: database))
                var composer = MailComposer(settings: settings, storeURL: "http://batch.localhost:8080", database: database)
                var order = try #require(try await Orders(database: database).find(ids: [orderID, "ord_missing"]).first)
                #expect(try await Orders(database: database).find(ids: [orderID, "ord_missing"]).map(\.id) == [orderID])
                #expect(try await composer.content(.orderConfirmation, objectID: orderID, link: nil)?.subject.contains(order.name) == true)
                order.name = "#BATCH"
                composer.orders = [orderID: order]
                #expect(try await composer.content(.newOrder, objectID: orderID, link: nil)?.subject.contains("#BATCH") == true)
                #expect(try await composer.content(.orderConfirmation, objectID: "ord_missing", link: nil) == nil)
            }
        }
    }

    @Test("a checkout mails the shopper a confirmation and the owner a notice; a cancellation mails the shopper again", arguments: TestPlatform.storages)
    func orderMails(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Mail Order Shop")
            _ = try await client.call(
                .put, "/api/settings", store: store,
                json: ["theme": ["primaryColor": "#aa3300"], "mail": ["senderName": "Mail Order Ltd", "replyTo": "help@mailorder.test"]])
            let product = try ProductRef(try await client.makeProduct(store, title: "Brass Lamp", price: 4250, stock: 5))
            let order = try await client.checkout(store, variantID: product.variant, email: "fay@example.test")
            let confirmation = try #require(try await platform.mail(to: "fay@example.test", store: store).first)
            #expect(confirmation.subject.hasPrefix("Order #") && confirmation.subject.hasSuffix("confirmed"))
            #expect(confirmation.headers["from"] == "\"Mail Order Ltd\" <no-reply@localhost>")
            #expect(confirmation.headers["reply-to"] == "<help@mailorder.test>")
            #expect(confirmation.text.contains("1 × Brass Lamp") && confirmation.text.contains("$42.50"))
            #expect(confirmation.text.contains("Ada Shopper"), "the shipping address")
            #expect(try #require(confirmation.html).contains("#aa3300"), "the store's colour")
            let owner = "owner@\(TestEmail.domain("Mail Order Shop")).test"
            let notice = try #require(try await platform.mail(to: owner, store: store).first { $0.subject.hasPrefix("New order") })
            #expect(notice.link(containing: "/admin/orders/\(order)") != nil)

            let cancelled = try await client.call(.post, "/api/orders/\(order)/cancel", store: store, json: [:])
            #expect(cancelled.status == .ok, "\(cancelled.text)")
            let shipped = try await platform.mail(to: "fay@example.test", store: store)
            #expect(shipped.map(\.subject).contains { $0.hasSuffix("cancelled") }, "\(shipped.map(\.subject))")
            // One mail per event: nothing is sent twice by a second pass.
            let count = try await platform.mail(to: "fay@example.test", store: store).count
            #expect(count == shipped.count)
        }
    }

    @Test("the owner lists the store's mail by status; staff without the settings permission and other stores cannot")
    func mailList() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("List Mail Shop")
            let role = try await client.call(.post, "/api/roles", store: store, json: ["name": "Orders only", "permissions": ["orders"]])
            let roleID = try #require(role.json["id"] as? String)
            _ = try await client.call(
                .post, "/api/staff", store: store, json: ["email": "helper@listmail.test", "password": "helper password", "roleId": roleID])
            _ = try await platform.mail(to: "x@example.test", store: store)
            let sent = try await client.call(.get, "/api/mail?status=sent&limit=5", store: store)
            #expect(sent.status == .ok)
            let rows = try #require(sent.json["data"] as? [[String: Any]])
            #expect(rows.contains { $0["kind"] as? String == "store_welcome" && $0["status"] as? String == "sent" })
            #expect(try await client.call(.get, "/api/mail?status=lost", store: store).status == .unprocessableContent)
            let id = try #require(rows.first?["id"] as? String)
            #expect(try await client.call(.post, "/api/mail/\(id)/resend", store: store).status == .conflict, "only failed mail is sent again")
            let helper = try await client.call(
                .post, "/api/auth/login", host: store.host, json: ["email": "helper@listmail.test", "password": "helper password"])
            let helperToken = try #require(helper.json["token"] as? String)
            #expect(try await client.call(.get, "/api/mail", host: store.host, token: helperToken).status == .forbidden)
            let other = try await client.makeStore("Other List Shop")
            #expect(try await client.call(.get, "/api/mail", host: other.host, token: store.token).status == .unauthorized)
        }
    }

    @Test(
        "a mail the server dropped is tried again later and arrives once",
        .enabled(if: SMTPTestServer.isAvailable, Comment(rawValue: SMTPTestServer.skipReason)))
    func retriedOnce() async throws {
        let server = try await SMTPTestServer(.init(dropFirst: 1))
        defer { server.stop() }
        try await TestPlatform.withPlatform(configure: { $0.smtpURL = "smtp://127.0.0.1:\(server.port)" }) { platform, client in
            let store = try await client.makeStore("Retry Mail Shop")
            let owner = "owner@\(TestEmail.domain("Retry Mail Shop")).test"
            await platform.services.webhookDispatcher.deliverMail(tenantID: store.id)
            #expect(try server.mailbox.all().isEmpty, "the first try was dropped")
            let failed = try await client.call(.get, "/api/mail?status=pending", store: store)
            let rows = try #require(failed.json["data"] as? [[String: Any]])
            // The batch stopped at the drop: the other mail was handed back untried.
            #expect(rows.compactMap { $0["attempts"] as? Int }.sorted() == [0, 1], "\(rows)")
            let dropped = try #require(rows.first { $0["attempts"] as? Int == 1 })
            #expect(dropped["lastError"] as? String != nil, "\(dropped)")
            // The mail handed back goes now; the dropped one is not due yet.
            await platform.services.webhookDispatcher.deliverMail(tenantID: store.id)
            #expect(try server.mailbox.all().count == 1)
            let later = Date().addingTimeInterval(120)
            await platform.services.webhookDispatcher.deliverMail(tenantID: store.id, now: { later })
            await platform.services.webhookDispatcher.deliverMail(tenantID: store.id, now: { later.addingTimeInterval(3600) })
            // The welcome and the address confirmation, each once.
            let received = try server.mailbox.to(owner)
            #expect(received.map(\.subject).sorted() == ["Confirm your e-mail address for Retry Mail Shop", "Your store Retry Mail Shop is ready"])
            let sent = try await client.call(.get, "/api/mail?status=sent", store: store)
            #expect((sent.json["data"] as? [[String: Any]])?.compactMap { $0["attempts"] as? Int }.sorted() == [1, 2])
        }
    }

    @Test("with the server down, one mail is tried and the rest wait untried; a failed mail can be resent")
    func serverDown() async throws {
        let port = try FreePort.tcp()
        try await TestPlatform.withPlatform(configure: { $0.smtpURL = "smtp://127.0.0.1:\(port)" }) { platform, client in
            let store = try await client.makeStore("Down Mail Shop")
            for name in ["ann", "ben"] {
                _ = try await client.call(
                    .post, "/api/customers/register", store: store, staff: false, json: ["email": "\(name)@example.test", "password": "long enough pass"])
            }
            await platform.services.webhookDispatcher.deliverMail(tenantID: store.id)
            let pending = try await client.call(.get, "/api/mail?status=pending", store: store)
            let rows = try #require(pending.json["data"] as? [[String: Any]])
            #expect(rows.count == 4)
            #expect(rows.compactMap { $0["attempts"] as? Int }.sorted() == [0, 0, 0, 1], "\(rows)")
            let tried = try #require(rows.first { $0["attempts"] as? Int == 1 })
            #expect((tried["lastError"] as? String)?.contains("no connection") == true, "\(tried)")
            let id = try #require(tried["id"] as? String)
            // Its day over, the mail is failed; the owner sends it again.
            try await platform.withStoreDatabase(store) { database in
                try await database.write { sql in try await sql.raw("UPDATE mail_messages SET status = 'failed' WHERE id = \(bind: id)").run() }
            }
            let resent = try await client.call(.post, "/api/mail/\(id)/resend", store: store)
            #expect(resent.status == .ok, "\(resent.text)")
            #expect(resent.json["status"] as? String == "pending")
        }
    }

    @Test("paying, shipping and a refund each mail the shopper; stock crossing its threshold mails the owner once", arguments: TestPlatform.storages)
    func lifecycleMails(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Lifecycle Mail Shop")
            let product = try ProductRef(try await client.makeProduct(store, title: "Tin Cup", price: 2000, stock: 7))
            let cart = try await client.makeCart(store, variantID: product.variant, quantity: 2)
            var body = checkoutBody
            body["email"] = "ned@example.test"
            let placed = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: body, headers: [.cartSecret: cart.secret])
            let order = try #require(placed.json["id"] as? String)
            let paid = try await client.call(
                .post, "/api/orders/\(order)/pay", store: store, staff: false, json: PaymentFlowTests.card("4242424242424242"),
                headers: [.cartSecret: cart.secret])
            #expect(paid.status == .created || paid.status == .ok, "\(paid.text)")
            await platform.services.paymentRelay.idle()
            #expect(try await client.call(.post, "/api/orders/\(order)/fulfill", store: store, json: [:]).status == .ok)
            #expect(try await client.call(.post, "/api/orders/\(order)/refunds", store: store, json: ["amount": 1500]).status == .created)
            await platform.services.paymentRelay.idle()
            let subjects = try await platform.mail(to: "ned@example.test", store: store).map(\.subject)
            let name = try #require(subjects.first { $0.hasSuffix("confirmed") }?.dropFirst("Order ".count).split(separator: " ").first)
            #expect(subjects.contains("Payment received for order \(name)"), "\(subjects)")
            #expect(subjects.contains("Order \(name) is on its way"), "\(subjects)")
            #expect(subjects.contains("Refund for order \(name)"), "\(subjects)")
            let refund = try #require(try await platform.mail(to: "ned@example.test", store: store).first { $0.subject.hasPrefix("Refund") })
            #expect(refund.text.contains("$15.00"), "the amount refunded")
            // 7 − 2 = 5, at the threshold of 5: one notice; a later sale below it sends no second one.
            _ = try await client.checkout(store, variantID: product.variant, email: "ola@example.test")
            let owner = "owner@\(TestEmail.domain("Lifecycle Mail Shop")).test"
            let notices = try await platform.mail(to: owner, store: store).filter { $0.subject.hasPrefix("Low stock") }
            #expect(notices.count == 1, "\(notices.map(\.subject))")
            #expect(notices.first?.text.contains("Tin Cup (Default) has 5 left") == true, "\(notices.first?.text ?? "")")
        }
    }
}
