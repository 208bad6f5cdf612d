import Foundation
import Testing

/// The admin's settings form: what it shows, and that it saves through the settings service
/// with the API's own field errors, changing nothing when a field is wrong.
@Suite("Admin settings form")
struct AdminSettingsFormTests {
    func form(_ overrides: [String: String]) -> [String: String] {
        var fields = [
            "name": "Form Shop", "currency": "USD", "contactEmail": "", "taxRate": "0", "shippingRate": "0", "logoUrl": "", "preset": "classic",
            "primaryColor": "", "accentColor": "", "font": "", "radius": "", "lowStockThreshold": "3", "senderName": "", "replyTo": "",
            "lowStockNotifications": "1",
        ]
        for (key, value) in overrides { fields[key] = value }
        return fields
    }

    @Test("the mail fields show the saved values, refuse a bad reply address, and save the switches")
    func mailFields() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Form Shop")
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let page = try await browser.get("/admin/settings", host: store.host)
            #expect(page.html.contains(#"name="newOrderNotifications" value="1" checked"#))
            #expect(page.html.contains(#"name="lowStockNotifications" value="1" checked"#))
            let bad = try await browser.post("/admin/settings", host: store.host, form: form(["replyTo": "not an address"]), csrf: page.csrf)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.html.contains("Reply address"), "the error is shown at the field")
            let unchanged = try await client.call(.get, "/api/settings", store: store)
            #expect((unchanged.json["mail"] as? [String: Any])?["newOrderNotifications"] as? Bool == true, "a refused form changes nothing")
            let saved = try await browser.post(
                "/admin/settings", host: store.host, form: form(["senderName": "Form & Co", "replyTo": "help@form.test"]), csrf: page.csrf)
            #expect(saved.status == .seeOther || saved.status == .found, "\(saved.status)")
            let mail = try #require(try await client.call(.get, "/api/settings", store: store).json["mail"] as? [String: Any])
            #expect(mail["senderName"] as? String == "Form & Co")
            #expect(mail["replyTo"] as? String == "help@form.test")
            #expect(mail["newOrderNotifications"] as? Bool == false)
            #expect(mail["lowStockNotifications"] as? Bool == true)
            let again = try await browser.get("/admin/settings", host: store.host)
            #expect(!again.html.contains(#"name="newOrderNotifications" value="1" checked"#))
            #expect(again.html.contains(#"value="Form &amp; Co""#))
        }
    }

    @Test("the reservation time saves from the form, and one out of range is refused at its field")
    func reservationMinutes() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Form Shop")
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let page = try await browser.get("/admin/settings", host: store.host)
            let bad = try await browser.post("/admin/settings", host: store.host, form: form(["reservationMinutes": "2"]), csrf: page.csrf)
            #expect(bad.status == .unprocessableContent && bad.html.contains("must be from 5 to 10080"))
            let saved = try await browser.post("/admin/settings", host: store.host, form: form(["reservationMinutes": "45"]), csrf: page.csrf)
            #expect(saved.status == .seeOther || saved.status == .found, "\(saved.status)")
            #expect(try await client.call(.get, "/api/settings", store: store).json["reservationMinutes"] as? Int == 45)
            #expect(try await browser.get("/admin/settings", host: store.host).html.contains(#"min="5" max="10080" name="reservationMinutes" value="45""#))
        }
    }

    @Test("the time zone saves from the form; a name no zone has is refused at its field")
    func timeZone() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Zone Form Shop")
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let page = try await browser.get("/admin/settings", host: store.host)
            #expect(
                page.html.contains(#"name="timeZone" list="time-zones" maxlength="64" value="UTC""#) && page.html.contains(#"<option value="Asia/Kathmandu">"#))
            let bad = try await browser.post("/admin/settings", host: store.host, form: form(["timeZone": "Mars/Olympus"]), csrf: page.csrf)
            #expect(bad.status == .unprocessableContent && bad.html.contains("must be a time zone name"))
            let saved = try await browser.post("/admin/settings", host: store.host, form: form(["timeZone": "Asia/Kathmandu"]), csrf: page.csrf)
            #expect(saved.status == .seeOther || saved.status == .found, "\(saved.status)")
            #expect(try await client.call(.get, "/api/settings", store: store).json["timeZone"] as? String == "Asia/Kathmandu")
        }
    }
}
