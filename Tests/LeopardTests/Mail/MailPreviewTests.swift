import Foundation
import LeopardCommerce
import Testing

/// The owner's preview of every mail, as the store would send it now: on the API and in the
/// admin, written from the newest order or an example, sending nothing.
@Suite("Mail previews in the admin and the API")
struct MailPreviewTests {
    @Test("every kind previews in both parts, from an example and then from the newest order; nothing is queued", arguments: TestPlatform.storages)
    func everyKind(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Preview Shop")
            _ = try await client.call(.put, "/api/settings", store: store, json: ["theme": ["primaryColor": "#117733"], "mail": ["senderName": "Preview Ltd"]])
            let before = try await client.call(.get, "/api/mail?limit=100", store: store).json["data"] as? [[String: Any]]
            for kind in MailKind.allCases {
                let preview = try await client.call(.get, "/api/mail/preview/\(kind.rawValue)", store: store)
                #expect(preview.status == .ok, "\(kind): \(preview.text)")
                #expect(preview.json["kind"] as? String == kind.rawValue)
                #expect((preview.json["subject"] as? String)?.isEmpty == false, "\(kind)")
                #expect((preview.json["text"] as? String)?.isEmpty == false, "\(kind)")
                #expect((preview.json["html"] as? String)?.contains("#117733") == true, "\(kind): the store's colour")
            }
            let example = try await client.call(.get, "/api/mail/preview/order_confirmation", store: store)
            #expect(example.json["subject"] as? String == "Order #1001 confirmed")
            #expect((example.json["text"] as? String)?.contains("Example product (Large)") == true)
            #expect(example.json["from"] as? String == "Preview Ltd <no-reply@localhost>")
            let product = try ProductRef(try await client.makeProduct(store, title: "Green Vase", price: 3100, stock: 5))
            _ = try await client.checkout(store, variantID: product.variant, email: "vi@example.test")
            let real = try await client.call(.get, "/api/mail/preview/order_shipped", store: store)
            #expect((real.json["text"] as? String)?.contains("Green Vase") == true, "\(real.text)")
            let after = try await client.call(.get, "/api/mail?limit=100", store: store).json["data"] as? [[String: Any]]
            let previewed = (after ?? []).filter { ($0["kind"] as? String) == "order_shipped" }
            #expect(previewed.isEmpty && (before?.count ?? 0) > 0, "a preview queues nothing")
        }
    }

    @Test("staff without the settings permission cannot preview; an unknown kind is not found; another store's token is refused")
    func access() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Preview Access Shop")
            #expect(try await client.call(.get, "/api/mail/preview/no_such_mail", store: store).status == .notFound)
            let role = try await client.call(.post, "/api/roles", store: store, json: ["name": "Orders only", "permissions": ["orders"]])
            let roleID = try #require(role.json["id"] as? String)
            _ = try await client.call(
                .post, "/api/staff", store: store, json: ["email": "helper@previewaccess.test", "password": "helper password", "roleId": roleID])
            let helper = try await client.call(
                .post, "/api/auth/login", host: store.host, json: ["email": "helper@previewaccess.test", "password": "helper password"])
            let helperToken = try #require(helper.json["token"] as? String)
            #expect(try await client.call(.get, "/api/mail/preview/low_stock", host: store.host, token: helperToken).status == .forbidden)
            let other = try await client.makeStore("Other Preview Shop")
            #expect(try await client.call(.get, "/api/mail/preview/low_stock", host: other.host, token: store.token).status == .unauthorized)
        }
    }

    @Test("the admin page shows the subject and text, and frames the HTML part, which only the admin may frame")
    func adminPage() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Preview Page Shop")
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let list = try await browser.get("/admin/mail", host: store.host)
            #expect(list.html.contains("/admin/mail/preview/order_confirmation"))
            let page = try await browser.get("/admin/mail/preview/staff_invite", host: store.host)
            #expect(page.status == .ok)
            #expect(page.html.contains("You are invited to run Preview Page Shop"))
            #expect(page.html.contains(#"src="/admin/mail/preview/staff_invite/html""#))
            let html = try await browser.get("/admin/mail/preview/staff_invite/html", host: store.host)
            #expect(html.status == .ok)
            #expect(html.html.contains("Join Preview Page Shop"))
            let policy = html.headers[.init("Content-Security-Policy")!] ?? ""
            #expect(policy.contains("frame-ancestors 'self'") && policy.contains("sandbox"), "\(policy)")
            let unknown = try await browser.get("/admin/mail/preview/nothing", host: store.host)
            #expect(unknown.status == .notFound)
            let anonymous = BrowserClient(client)
            let refused = try await anonymous.get("/admin/mail/preview/staff_invite/html", host: store.host)
            #expect(refused.status != .ok && !refused.html.contains("Join Preview Page Shop"))
        }
    }
}
