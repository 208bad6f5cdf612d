import Foundation
import HummingbirdTesting
import Testing

/// The shopper's details page in the storefront: names, password and addresses through the
/// same service as the API, with field errors that change nothing.
@Suite("Storefront profile page")
struct ProfilePageTests {
    func signedIn(_ platform: TestPlatform, _ client: some TestClientProtocol, store: StoreFixture, email: String) async throws -> BrowserClient {
        _ = try await client.call(.post, "/api/customers/register", store: store, staff: false, json: ["email": email, "password": "profile pass 1"])
        let browser = BrowserClient(client)
        try await browser.followVerification(platform, store: store, email: email, password: "profile pass 1")
        return browser
    }

    @Test("names and password change from the page; a wrong current password is refused at its field")
    func namesAndPassword() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Profile Page Shop")
            let browser = try await signedIn(platform, client, store: store, email: "ida@example.test")
            let page = try await browser.get("/account/profile", host: store.host)
            #expect(page.status == .ok)
            let named = try await browser.post("/account/profile", host: store.host, form: ["firstName": "Ida", "lastName": "Lane"], csrf: page.csrf)
            #expect(named.status == .seeOther && named.location == "/account/profile?done=names")
            let shown = try await browser.get("/account/profile?done=names", host: store.host)
            #expect(shown.html.contains(#"value="Lane""#) && shown.html.contains("Your name is saved."))
            let tooLong = try await browser.post(
                "/account/profile", host: store.host, form: ["firstName": String(repeating: "y", count: 101), "lastName": "Lane"], csrf: page.csrf)
            #expect(tooLong.status == .unprocessableContent)
            #expect(tooLong.html.contains("First name must be at most 100 characters"))
            let wrong = try await browser.post(
                "/account/password", host: store.host, form: ["currentPassword": "nope nope", "newPassword": "new profile pass"], csrf: page.csrf)
            #expect(wrong.status == .forbidden)
            #expect(wrong.html.contains("Current password is wrong"))
            let changed = try await browser.post(
                "/account/password", host: store.host, form: ["currentPassword": "profile pass 1", "newPassword": "new profile pass"], csrf: page.csrf)
            #expect(changed.status == .seeOther)
            #expect(try await browser.get("/account/profile", host: store.host).status == .ok, "this browser stays signed in")
            let login = try await client.call(
                .post, "/api/customers/login", store: store, staff: false, json: ["email": "ida@example.test", "password": "new profile pass"])
            #expect(login.status == .ok)
        }
    }

    @Test("addresses are added with field errors shown, listed, and removed; another shopper's cannot be")
    func addresses() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Address Page Shop")
            let browser = try await signedIn(platform, client, store: store, email: "jo@example.test")
            let page = try await browser.get("/account/profile", host: store.host)
            #expect(page.html.contains("No saved addresses yet."))
            let missing = try await browser.post(
                "/account/addresses", host: store.host, form: ["name": "Jo", "line1": "", "city": "Springfield", "postalCode": "12345", "country": "US"],
                csrf: page.csrf)
            #expect(missing.status == .unprocessableContent)
            #expect(missing.html.contains(#"id="line1-error""#) && missing.html.contains(#"value="Springfield""#))
            let added = try await browser.post(
                "/account/addresses", host: store.host,
                form: ["name": "Jo Doe", "line1": "9 Elm Road", "city": "Springfield", "postalCode": "12345", "country": "US"], csrf: page.csrf)
            #expect(added.status == .seeOther)
            let api = try await client.call(
                .post, "/api/customers/login", store: store, staff: false, json: ["email": "jo@example.test", "password": "profile pass 1"])
            let token = try #require(api.json["token"] as? String)
            let saved = try #require(
                (try await client.call(.get, "/api/customers/me/addresses", host: store.host, token: token).json["data"] as? [[String: Any]]))
            let id = try #require(saved.first?["id"] as? String)
            #expect(saved.count == 1)
            #expect(try await browser.get("/account/profile", host: store.host).html.contains("9 Elm Road"))

            let other = try await signedIn(platform, client, store: store, email: "kim@example.test")
            let otherPage = try await other.get("/account/profile", host: store.host)
            let refused = try await other.post("/account/addresses/\(id)/delete", host: store.host, form: [:], csrf: otherPage.csrf)
            #expect(refused.status == .notFound)
            let removed = try await browser.post("/account/addresses/\(id)/delete", host: store.host, form: [:], csrf: page.csrf)
            #expect(removed.status == .seeOther)
            let after = try await client.call(.get, "/api/customers/me/addresses", host: store.host, token: token)
            #expect((after.json["data"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    @Test("signed out, the page sends the shopper to sign in; a form without its token changes nothing")
    func signedOutAndForged() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Profile Guard Shop")
            let stranger = BrowserClient(client)
            let page = try await stranger.get("/account/profile", host: store.host)
            #expect(page.status == .seeOther && page.location == "/account/login")
            let browser = try await signedIn(platform, client, store: store, email: "lu@example.test")
            let forged = try await browser.post("/account/profile", host: store.host, form: ["firstName": "Forged"], csrf: nil)
            #expect(forged.status == .forbidden)
            #expect(!(try await browser.get("/account/profile", host: store.host).html.contains("Forged")))
        }
    }
}
