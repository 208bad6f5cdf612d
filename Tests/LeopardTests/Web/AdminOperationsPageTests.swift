import Foundation
import HummingbirdTesting
import Testing

/// The admin's roles, audit log, shipping in parts and returns, as a browser uses them.
@Suite("Admin: roles, audit log, shipments and returns")
struct AdminOperationsPageTests {
    @Test("the owner adds a role; its member sees only their sections, ships in two parts, and gets a page saying no elsewhere")
    func rolesAndShipping() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Admin Roles Shop")
            let (order, _) = try await ShopOperationsTests.paidOrder(client, store)
            let orderID = try #require(order["id"] as? String)
            let lines = try ShopOperationsTests.lineIDs(order)

            let owner = BrowserClient(client)
            try await owner.signInToAdmin(host: store.host, email: store.ownerEmail)
            let rolesPage = try await owner.get("/admin/roles", host: store.host)
            #expect(rolesPage.html.contains("Add a role"))
            let added = try await owner.post(
                "/admin/roles", host: store.host, form: ["name": "Packers", "permission_fulfillments": "1"], csrf: rolesPage.csrf)
            #expect(added.status == .seeOther || added.status == .found, "\(added.html.prefix(300))")
            let roles = try await client.call(.get, "/api/roles", store: store)
            let roleID = try #require((roles.json["data"] as? [[String: Any]])?.first { $0["name"] as? String == "Packers" }?["id"] as? String)
            let team = try await owner.get("/admin/team", host: store.host)
            let invited = try await owner.post(
                "/admin/team/staff", host: store.host, form: ["email": "packer@adminroles.test", "password": "packer password", "roleId": roleID],
                csrf: team.csrf)
            #expect(invited.location == "/admin/team?done=staff", "\(invited.html.prefix(300))")

            let packer = BrowserClient(client)
            try await packer.signInToAdmin(host: store.host, email: "packer@adminroles.test", password: "packer password")
            let dashboard = try await packer.get("/admin", host: store.host)
            #expect(
                dashboard.html.contains("href=\"/admin/orders\"") && !dashboard.html.contains("href=\"/admin/products\""), "the menu shows only their sections")
            let products = try await packer.get("/admin/products", host: store.host)
            #expect(products.status == .forbidden)
            #expect(products.html.contains("does not allow"))
            #expect(try await packer.get("/admin/team", host: store.host).status == .forbidden)
            for path in ["/admin//products", "/admin//customers", "//admin/settings", "/admin/./settings", "/admin/%73ettings"] {
                let sneaky = try await packer.get(path, host: store.host)
                #expect(sneaky.status == .forbidden || sneaky.status == .notFound, "\(path): \(sneaky.status)")
            }

            let page = try await packer.get("/admin/orders/\(orderID)", host: store.host)
            #expect(page.html.contains("Ship these items"))
            #expect(!page.html.contains("Refund amount"), "no refund form without the payments permission")
            let refund = try await packer.post("/admin/orders/\(orderID)/refund", host: store.host, form: [:], csrf: page.csrf)
            #expect(refund.status == .forbidden)
            let first = try await packer.post(
                "/admin/orders/\(orderID)/fulfillments", host: store.host,
                form: ["qty_\(lines[0])": "2", "qty_\(lines[1])": "0", "qty_\(lines[2])": "1", "carrier": "DHL", "trackingNumber": "JD777"], csrf: page.csrf)
            #expect(first.location == "/admin/orders/\(orderID)?done=shipped", "\(first.html.prefix(400))")
            let middle = try await packer.get("/admin/orders/\(orderID)", host: store.host)
            #expect(middle.html.contains("partially_fulfilled") && middle.html.contains("JD777"))
            let second = try await packer.post(
                "/admin/orders/\(orderID)/fulfillments", host: store.host, form: ["qty_\(lines[1])": "1", "qty_\(lines[2])": "2"], csrf: middle.csrf)
            #expect(second.location == "/admin/orders/\(orderID)?done=shipped")
            let done = try await packer.get("/admin/orders/\(orderID)", host: store.host)
            #expect(done.html.contains("status fulfilled"))

            // The owner records a return and refunds it; the audit log lists it all.
            let ownerView = try await owner.get("/admin/orders/\(orderID)", host: store.host)
            let returned = try await owner.post(
                "/admin/orders/\(orderID)/returns", host: store.host, form: ["qty_\(lines[1])": "1", "restock": "1", "reason": "Broken"],
                csrf: ownerView.csrf)
            #expect(returned.location == "/admin/orders/\(orderID)?done=returned", "\(returned.html.prefix(400))")
            let withReturn = try await owner.get("/admin/orders/\(orderID)", host: store.host)
            let returnID = try #require(
                withReturn.html.range(of: #"name="returnId" value=""#).map { range in
                    String(withReturn.html[range.upperBound...].prefix { $0 != "\"" })
                })
            let refunded = try await owner.post(
                "/admin/orders/\(orderID)/refund-return", host: store.host, form: ["returnId": returnID], csrf: withReturn.csrf)
            #expect(refunded.location == "/admin/orders/\(orderID)?done=refunded", "\(refunded.html.prefix(400))")
            let invoice = try await owner.get("/admin/orders/\(orderID)/invoice", host: store.host)
            #expect(invoice.status == .ok && invoice.html.contains("Invoice") && invoice.html.contains("INV-"))
            let slip = try await packer.get("/admin/orders/\(orderID)/packing-slip", host: store.host)
            #expect(slip.status == .ok && slip.html.contains("Packing slip") && !slip.html.contains("Bill to"))
            let noted = try await packer.post("/admin/orders/\(orderID)/note", host: store.host, form: ["text": "Left at the door"], csrf: done.csrf)
            #expect(noted.location == "/admin/orders/\(orderID)?done=note")
            #expect(try await owner.get("/admin/orders/\(orderID)", host: store.host).html.contains("Note from packer@adminroles.test: Left at the door"))
            let audit = try await owner.get("/admin/audit", host: store.host)
            for action in ["role.created", "staff.invited", "fulfillment.created", "return.created", "refund.created"] {
                #expect(audit.html.contains(action), "\(action)")
            }
        }
    }

    @Test("a draft built in the admin becomes a paid order; a bad draft says why at its fields")
    func draftInAdmin() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Admin Draft Shop")
            let variant = try ProductRef(try await client.makeProduct(store, title: "Desk", price: 20000, stock: 5)).variant
            let owner = BrowserClient(client)
            try await owner.signInToAdmin(host: store.host, email: store.ownerEmail)
            let page = try await owner.get("/admin/drafts", host: store.host)
            #expect(page.html.contains("New draft order") && page.html.contains(variant))
            let address = ["name": "Ada Buyer", "line1": "3 Quay St", "city": "Bristol", "postalCode": "BS1 1AA", "country": "GB"]
            let bad = try await owner.post("/admin/drafts", host: store.host, form: address.merging(["email": "nope"]) { a, _ in a }, csrf: page.csrf)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.html.contains("E-mail must be"), "\(bad.html.prefix(200))")
            var form = address
            form["email"] = "ada@example.test"
            form["variant_1"] = variant
            form["quantity_1"] = "2"
            let created = try await owner.post("/admin/drafts", host: store.host, form: form, csrf: page.csrf)
            let location = try #require(created.location, "\(created.html.prefix(300))")
            #expect(location.hasPrefix("/admin/drafts/draft_"))
            let draft = try await owner.get(location, host: store.host)
            #expect(draft.html.contains("$400.00") && draft.html.contains("Mark paid and create the order"))
            let completed = try await owner.post(
                location + "/complete", host: store.host, form: ["markPaid": "1", "paymentMethod": "bank_transfer"], csrf: draft.csrf)
            let orderPage = try #require(completed.location)
            #expect(orderPage.hasPrefix("/admin/orders/ord_") && orderPage.hasSuffix("done=paid"), "\(orderPage)")
            let order = try await owner.get(orderPage, host: store.host)
            #expect(order.html.contains("status paid"))
        }
    }

    @Test("a draft in the admin takes custom items; a price that is not an amount is marked at its row")
    func customItemsInAdmin() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Admin Custom Shop")
            let owner = BrowserClient(client)
            try await owner.signInToAdmin(host: store.host, email: store.ownerEmail)
            let page = try await owner.get("/admin/drafts", host: store.host)
            #expect(page.html.contains("custom_title_1"))
            var form = ["name": "Ada Buyer", "line1": "3 Quay St", "city": "Bristol", "postalCode": "BS1 1AA", "country": "GB", "email": "ada@example.test"]
            form["custom_title_2"] = "Engraving"
            form["custom_price_2"] = "twelve"
            let bad = try await owner.post("/admin/drafts", host: store.host, form: form, csrf: page.csrf)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.html.contains("Custom item 2: price must be an amount like 12.50"), "\(bad.html.prefix(300))")
            #expect(bad.html.contains("value=\"Engraving\""), "what was typed stays")
            form["custom_price_2"] = "12.50"
            form["custom_quantity_2"] = "0"
            let zero = try await owner.post("/admin/drafts", host: store.host, form: form, csrf: page.csrf)
            #expect(zero.html.contains("Custom item 2: quantity must be"), "the row it came from, though row 1 is blank: \(zero.html.prefix(300))")
            form["custom_quantity_2"] = "3"
            form["custom_tax_2"] = "exempt"
            let created = try await owner.post("/admin/drafts", host: store.host, form: form, csrf: page.csrf)
            let location = try #require(created.location, "\(created.html.prefix(300))")
            let draft = try await owner.get(location, host: store.host)
            #expect(draft.html.contains("Engraving <span class=\"muted\">(custom item)</span>") && draft.html.contains("$37.50"))
        }
    }
}
