import Foundation
import LeopardCommerce
import Testing

/// The owner's address, confirmed by the link mailed after signup: on the API, in the admin
/// (a button, so that a mail scanner following the link uses nothing up), once per link.
@Suite("Staff e-mail verification")
struct StaffEmailVerificationTests {
    @Test("signup mails the owner a link; following it once verifies the address", arguments: TestPlatform.storages)
    func ownerLink(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Verify Owner Shop")
            let owner = "owner@\(TestEmail.domain("Verify Owner Shop")).test"
            let me = try await client.call(.get, "/api/auth/me", store: store)
            #expect(me.json["emailVerified"] as? Bool == false)
            let token = try await platform.mailedToken(to: owner, store: store, path: "/admin/verify-email")
            let other = try await client.makeStore("Verify Other Shop")
            #expect(
                try await client.call(.post, "/api/auth/verify-email", host: other.host, json: ["token": token]).status == .unauthorized,
                "a link from another store does nothing there")
            let verified = try await client.call(.post, "/api/auth/verify-email", host: store.host, json: ["token": token])
            #expect(verified.status == .ok, "\(verified.text)")
            #expect(verified.json["email"] as? String == owner)
            #expect(try await client.call(.get, "/api/auth/me", store: store).json["emailVerified"] as? Bool == true)
            #expect(try await client.call(.post, "/api/auth/verify-email", host: store.host, json: ["token": token]).status == .unauthorized)
            #expect(try await client.call(.post, "/api/auth/me/verification", store: store).status == .conflict, "verified already")
            #expect(try await client.call(.get, "/api/auth/me", store: other).json["emailVerified"] as? Bool == false)
        }
    }

    @Test("a new link ends the old one; the admin asks until the address is confirmed, with a button")
    func adminBanner() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Verify Banner Shop")
            let owner = "owner@\(TestEmail.domain("Verify Banner Shop")).test"
            let first = try await platform.mailedToken(to: owner, store: store, path: "/admin/verify-email")
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let dashboard = try await browser.get("/admin", host: store.host)
            #expect(dashboard.html.contains(#"data-testid="verify-email""#))
            let resent = try await browser.post("/admin/verify-email/resend", host: store.host, form: [:], csrf: dashboard.csrf)
            #expect(resent.status == .seeOther || resent.status == .found, "\(resent.status)")
            let second = try await platform.mailedToken(to: owner, store: store, path: "/admin/verify-email")
            #expect(second != first)
            // The link opens a page with a button; opening it uses nothing up.
            let opened = try await browser.get("/admin/verify-email?token=\(second)", host: store.host)
            #expect(opened.html.contains("Confirm my address"))
            #expect(try await client.call(.get, "/api/auth/me", store: store).json["emailVerified"] as? Bool == false)
            let stale = try await browser.post("/admin/verify-email", host: store.host, form: ["token": first], csrf: opened.csrf)
            #expect(stale.status == .unauthorized, "the first link ended when the second was sent")
            let confirmed = try await browser.post("/admin/verify-email", host: store.host, form: ["token": second], csrf: opened.csrf)
            #expect(confirmed.status == .ok)
            #expect(confirmed.html.contains("\(owner) is confirmed"))
            #expect(!(try await browser.get("/admin", host: store.host).html.contains(#"data-testid="verify-email""#)))
        }
    }

    @Test("an invited member's own link verifies them, not the owner")
    func invitedMember() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Verify Staff Shop")
            _ = try await client.call(.post, "/api/staff", store: store, json: ["email": "pat@verifystaff.test", "password": "pat password 1"])
            let login = try await client.call(
                .post, "/api/auth/login", host: store.host, json: ["email": "pat@verifystaff.test", "password": "pat password 1"])
            let pat = try #require(login.json["token"] as? String)
            #expect(try await client.call(.post, "/api/auth/me/verification", host: store.host, token: pat).status == .accepted)
            let token = try await platform.mailedToken(to: "pat@verifystaff.test", store: store, path: "/admin/verify-email")
            #expect(try await client.call(.post, "/api/auth/verify-email", host: store.host, json: ["token": token]).status == .ok)
            #expect(try await client.call(.get, "/api/auth/me", host: store.host, token: pat).json["emailVerified"] as? Bool == true)
            #expect(try await client.call(.get, "/api/auth/me", store: store).json["emailVerified"] as? Bool == false)
        }
    }
}
