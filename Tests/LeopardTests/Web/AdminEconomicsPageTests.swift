import Foundation
import HummingbirdTesting
import Testing

/// The admin's Discounts and Shipping and tax pages: forms that save through the same services
/// as the API, refused forms that change nothing, deletes.
@Suite("Admin pages for discounts, shipping and tax")
struct AdminEconomicsPageTests {
    @Test("a discount is added, refused with its field marked, listed with its use, and deleted")
    func discounts() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Admin Discounts")
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let page = try await browser.get("/admin/discounts", host: store.host)
            #expect(page.html.contains("No discounts yet"))
            let bad = try await browser.post(
                "/admin/discounts", host: store.host, form: ["code": "SALE", "kind": "percentage", "value": "150"], csrf: page.csrf)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.html.contains("Value must be a percentage"))
            #expect((try await client.call(.get, "/api/discounts", store: store).json["data"] as? [[String: Any]])?.isEmpty == true)
            let fixed = try await browser.post(
                "/admin/discounts", host: store.host,
                form: [
                    "code": "fiver", "kind": "fixed", "value": "5.00", "appliesTo": "order", "minSubtotal": "20", "usageLimit": "10", "endsAt": "2099-12-31",
                ],
                csrf: page.csrf)
            #expect(fixed.status == .seeOther)
            let listed = try await browser.get("/admin/discounts", host: store.host)
            #expect(listed.html.contains("FIVER") && listed.html.contains("$5.00") && listed.html.contains("0 of 10"))
            let api = try #require((try await client.call(.get, "/api/discounts", store: store).json["data"] as? [[String: Any]])?.first)
            #expect(api["value"] as? Int == 500 && api["endsAt"] as? String == "2099-12-31T23:59:59.000Z")
            #expect((api["minSubtotal"] as? [String: Any])?["amount"] as? Int == 2000)
            let id = try #require(api["id"] as? String)
            let deleted = try await browser.post("/admin/discounts/\(id)/delete", host: store.host, form: [:], csrf: listed.csrf)
            #expect(deleted.status == .seeOther)
            #expect(try await client.call(.get, "/api/discounts/\(id)", store: store).status == .notFound)
        }
    }

    @Test("zones with bands and rates are added from the page; a place in two zones is refused; prices can include tax")
    func shippingAndTax() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Admin Shipping")
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let page = try await browser.get("/admin/shipping", host: store.host)
            let zone = [
                "zoneName": "Europe", "countries": "DE, FR", "method0Name": "Parcel", "method0Kind": "weight", "method0Rate": "1000: 4.90; 5000: 9.90",
                "method1Name": "Express", "method1Kind": "flat", "method1Rate": "19.90", "method1FreeOver": "100",
            ]
            #expect(try await browser.post("/admin/shipping/zones", host: store.host, form: zone, csrf: page.csrf).status == .seeOther)
            let again = try await browser.post("/admin/shipping/zones", host: store.host, form: zone, csrf: page.csrf)
            #expect(again.status == .conflict)
            let badBands = try await browser.post(
                "/admin/shipping/zones", host: store.host,
                form: ["zoneName": "Bad", "countries": "IT", "method0Name": "P", "method0Kind": "weight", "method0Rate": "lots"],
                csrf: page.csrf)
            #expect(badBands.status == .unprocessableContent)
            let zones = try #require(try await client.call(.get, "/api/shipping-zones", store: store).json["data"] as? [[String: Any]])
            #expect(zones.count == 1)
            let methods = try #require(zones.first?["methods"] as? [[String: Any]])
            #expect(methods.map { $0["name"] as? String } == ["Parcel", "Express"])
            #expect((methods.first?["bands"] as? [[String: Any]])?.map { $0["upTo"] as? Int } == [1000, 5000])

            #expect(
                try await browser.post(
                    "/admin/shipping/rates", host: store.host, form: ["country": "de", "rate": "19", "taxClass": "standard", "appliesToShipping": "1"],
                    csrf: page.csrf
                ).status == .seeOther)
            let badRate = try await browser.post("/admin/shipping/rates", host: store.host, form: ["country": "DE", "rate": "nineteen"], csrf: page.csrf)
            #expect(badRate.status == .unprocessableContent)
            #expect(
                try await browser.post("/admin/shipping/prices-include-tax", host: store.host, form: ["pricesIncludeTax": "1"], csrf: page.csrf).status
                    == .seeOther)
            let shown = try await browser.get("/admin/shipping", host: store.host)
            #expect(shown.html.contains("Parcel: up to 1000 g $4.90") && shown.html.contains("19 %"))
            #expect(try await client.call(.get, "/api/settings", store: store).json["pricesIncludeTax"] as? Bool == true)
        }
    }
}
