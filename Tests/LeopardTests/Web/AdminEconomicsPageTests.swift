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

    @Test("a discount's conditions are set and changed on its own page; emptied fields are cleared; an unknown customer is marked")
    func discountEdit() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Admin Discount Edit")
            let category = try #require(try await client.call(.post, "/api/categories", store: store, json: ["name": "Lamps"]).json["id"] as? String)
            let lamp = try ProductRef(try await client.makeProduct(store, title: "Desk Lamp", price: 1000, stock: 5))
            _ = try await platform.registerCustomer(client, store: store, email: "vip@example.test")
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let page = try await browser.get("/admin/discounts", host: store.host)
            #expect(page.html.contains("Desk Lamp") && page.html.contains("Lamps"), "products and categories to choose from")
            let added = try await browser.post(
                "/admin/discounts", host: store.host,
                pairs: [
                    ("code", "vip10"), ("kind", "percentage"), ("value", "10"), ("minQuantity", "2"), ("perCustomerLimit", "1"),
                    ("startsAt", "2026-01-01"), ("endsAt", "2099-12-31"), ("productIds", lamp.id), ("categoryIds", category),
                    ("customerEmails", "vip@example.test"),
                ], csrf: page.csrf)
            #expect(added.status == .seeOther, "\(added.html.prefix(300))")
            let api = try #require((try await client.call(.get, "/api/discounts", store: store).json["data"] as? [[String: Any]])?.first)
            let id = try #require(api["id"] as? String)
            #expect(api["minQuantity"] as? Int == 2 && api["perCustomerLimit"] as? Int == 1)
            #expect(api["productIds"] as? [String] == [lamp.id] && api["categoryIds"] as? [String] == [category])
            #expect((api["customerIds"] as? [String])?.count == 1 && api["startsAt"] as? String == "2026-01-01T00:00:00.000Z")

            let edit = try await browser.get("/admin/discounts/\(id)", host: store.host)
            #expect(edit.status == .ok && edit.html.contains("vip@example.test") && edit.html.contains("value=\"2\""))
            let unknown = try await browser.post(
                "/admin/discounts/\(id)", host: store.host,
                pairs: [
                    ("editing", "1"), ("code", "VIP10"), ("kind", "percentage"), ("value", "10"), ("customerEmails", "nobody@example.test"), ("active", "1"),
                ],
                csrf: edit.csrf)
            #expect(unknown.status == .unprocessableContent && unknown.html.contains("nobody@example.test is not a customer"))
            #expect(try await client.call(.get, "/api/discounts/\(id)", store: store).json["minQuantity"] as? Int == 2, "a refused form changes nothing")
            let saved = try await browser.post(
                "/admin/discounts/\(id)", host: store.host, pairs: [("editing", "1"), ("code", "VIP15"), ("kind", "percentage"), ("value", "15")],
                csrf: edit.csrf)
            #expect(saved.status == .seeOther && saved.location == "/admin/discounts?done=discount-saved")
            let after = try await client.call(.get, "/api/discounts/\(id)", store: store).json
            #expect(after["code"] as? String == "VIP15" && after["active"] as? Bool == false, "unticked: inactive")
            #expect(after["minQuantity"] is NSNull || after["minQuantity"] == nil, "emptied: cleared")
            #expect((after["productIds"] as? [String])?.isEmpty == true && (after["customerIds"] as? [String])?.isEmpty == true)
        }
    }

    @Test("products take a tax class and a weight, the settings a reservation time, from their pages")
    func productAndSettingsFields() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Admin Weights")
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let new = try await browser.get("/admin/products/new", host: store.host)
            #expect(new.html.contains("name=\"taxClass\"") && new.html.contains("name=\"weight\""))
            let made = try await browser.post(
                "/admin/products", host: store.host,
                form: ["title": "Heavy Book", "status": "active", "price": "20.00", "stock": "3", "weight": "1200", "taxClass": "reduced"], csrf: new.csrf)
            #expect(made.status == .seeOther, "\(made.html.prefix(300))")
            let product = try #require((try await client.call(.get, "/api/products", store: store).json["data"] as? [[String: Any]])?.first)
            #expect(product["taxClass"] as? String == "reduced")
            #expect((product["variants"] as? [[String: Any]])?.first?["weight"] as? Int == 1200)
            let badWeight = try await browser.post(
                "/admin/products", host: store.host, form: ["title": "Odd", "status": "active", "price": "1.00", "weight": "-3"], csrf: new.csrf)
            #expect(badWeight.status == .unprocessableContent && badWeight.html.contains("Weight must be a whole number of grams"))

            let settings = try await browser.get("/admin/settings", host: store.host)
            #expect(settings.html.contains("min=\"5\" max=\"10080\" name=\"reservationMinutes\" value=\"30\""))
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
            #expect(badBands.html.contains("value=\"lots\""), "a refused method is shown as typed")

            // The zone's own page shows it as saved, and saves a change.
            let zoneID = try #require(zones.first?["id"] as? String)
            let edit = try await browser.get("/admin/shipping/zones/\(zoneID)", host: store.host)
            #expect(edit.status == .ok && edit.html.contains("value=\"1000: 4.90; 5000: 9.90\"") && edit.html.contains("value=\"100.00\""))
            var changed = zone
            changed["countries"] = "DE, FR, AT"
            changed["method1Rate"] = "24.90"
            changed["method1FreeOver"] = ""
            let saved = try await browser.post("/admin/shipping/zones/\(zoneID)", host: store.host, form: changed, csrf: edit.csrf)
            #expect(saved.status == .seeOther && saved.location == "/admin/shipping?done=zone-saved")
            let after = try await client.call(.get, "/api/shipping-zones/\(zoneID)", store: store).json
            #expect(after["countries"] as? [String] == ["AT", "DE", "FR"])
            let express = (after["methods"] as? [[String: Any]])?.last
            #expect((express?["rate"] as? [String: Any])?["amount"] as? Int == 2490)
            #expect(express?["freeOver"] == nil || express?["freeOver"] is NSNull, "emptied: no longer free from 100")
            var broken = changed
            broken["countries"] = "ZZZ"
            let refused = try await browser.post("/admin/shipping/zones/\(zoneID)", host: store.host, form: broken, csrf: edit.csrf)
            #expect(refused.status == .unprocessableContent && refused.html.contains("value=\"ZZZ\""))

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
