import Foundation
import HummingbirdTesting
import Testing

@testable import LeopardOperations

/// Webhook endpoints in the admin: added with the secret shown once, the delivery log with
/// "send again", deleted; closed to staff without the webhooks permission.
@Suite("Admin pages for webhooks")
struct AdminWebhookPageTests {
    struct DeliveryPage: Decodable {
        struct Delivery: Decodable {
            let id: String
            let topic: String
            let status: String
            let attempts: Int
        }

        let data: [Delivery]
    }

    @Test("an endpoint is added from the page, its deliveries are listed and sent again, and it is deleted")
    func endpoints() async throws {
        let receiver = WebhookReceiver()
        try await receiver.serve { url in
            try await TestPlatform.withPlatform(.sqlite) { platform, client in
                let store = try await client.makeStore("Admin Hooks")
                let browser = BrowserClient(client)
                try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
                let page = try await browser.get("/admin/webhooks", host: store.host)
                #expect(page.status == .ok && page.html.contains("No endpoints yet") && page.html.contains("order.created"))
                let bad = try await browser.post(
                    "/admin/webhooks", host: store.host, pairs: [("url", "ftp://files.invalid/x"), ("events", "order.created")], csrf: page.csrf)
                #expect(bad.status == .unprocessableContent && bad.html.contains("value=\"ftp://files.invalid/x\""))
                #expect(bad.html.contains(#"value="order.created" checked"#), "the chosen events are kept")
                let none = try await client.call(.get, "/api/webhooks", store: store)
                #expect((none.json["data"] as? [Any])?.isEmpty == true, "a refused form adds nothing")

                let added = try await browser.post(
                    "/admin/webhooks", host: store.host, pairs: [("url", url), ("description", "Our ERP"), ("events", "order.created")], csrf: page.csrf)
                #expect(added.status == .ok && added.html.contains("whsec_") && added.html.contains("Our ERP"))
                let listed = try #require(try await client.call(.get, "/api/webhooks", store: store).json["data"] as? [[String: Any]])
                let id = try #require(listed.first?["id"] as? String)
                #expect(!(try await browser.get("/admin/webhooks", host: store.host).html.contains("whsec_")), "the secret is shown once")

                _ = try await client.checkout(
                    store, variantID: try ProductRef(try await client.makeProduct(store, title: "Kettle", price: 3000, stock: 5)).variant,
                    email: "hook@example.test")
                #expect(await platform.services.webhookDispatcher.deliverDue(tenantID: store.id) == 1)
                let log = try await browser.get("/admin/webhooks/\(id)", host: store.host)
                #expect(log.html.contains("order.created") && log.html.contains("succeeded") && log.html.contains("HTTP 200"))
                let delivery = try #require(try await client.call(.get, "/api/webhooks/\(id)/deliveries", store: store).decode(DeliveryPage.self).data.first)
                let again = try await browser.post("/admin/webhooks/\(id)/deliveries/\(delivery.id)/redeliver", host: store.host, form: [:], csrf: log.csrf)
                #expect(again.status == .seeOther && again.location == "/admin/webhooks/\(id)?done=redelivered")
                #expect(await platform.services.webhookDispatcher.deliverDue(tenantID: store.id) == 1)
                #expect(await receiver.received.count == 2, "sent again")
                let failedOnly = try await browser.get("/admin/webhooks/\(id)?status=failed", host: store.host)
                #expect(failedOnly.html.contains("No deliveries here yet"))

                let deleted = try await browser.post("/admin/webhooks/\(id)/delete", host: store.host, form: [:], csrf: log.csrf)
                #expect(deleted.status == .seeOther)
                #expect(try await client.call(.get, "/api/webhooks/\(id)", store: store).status == .notFound)
                let other = try await client.makeStore("Other Admin Hooks")
                let elsewhere = BrowserClient(client)
                try await elsewhere.signInToAdmin(host: other.host, email: other.ownerEmail)
                #expect(try await elsewhere.get("/admin/webhooks/\(id)", host: other.host).status == .notFound, "another store's endpoint is not found")
            }
        }
    }

    @Test("staff without the webhooks permission get a page saying so, and no menu link")
    func permission() async throws {
        try await TestPlatform.withPlatform(.sqlite) { _, client in
            let store = try await client.makeStore("Hookless Shop")
            let role = try await client.call(.post, "/api/roles", store: store, json: ["name": "Orders", "permissions": ["orders"]])
            _ = try await client.call(
                .post, "/api/staff", store: store,
                json: ["email": "clerk@hookless.test", "password": "clerk password", "roleId": try #require(role.json["id"] as? String)])
            let clerk = BrowserClient(client)
            try await clerk.signInToAdmin(host: store.host, email: "clerk@hookless.test", password: "clerk password")
            #expect(try await clerk.get("/admin/webhooks", host: store.host).status == .forbidden)
            #expect(!(try await clerk.get("/admin", host: store.host).html.contains("href=\"/admin/webhooks\"")))
        }
    }
}
