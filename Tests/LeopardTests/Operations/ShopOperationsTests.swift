import Foundation
import HummingbirdTesting
import LeopardCore
import LeopardStorage
import SQLKit
import Testing

@testable import LeopardServer

/// Issue 21's acceptance through the API: shipping in parts, a return refunded by line, a role
/// that may only ship, and the audit log of all of it.
@Suite("Running the shop: shipments, returns, roles, audit log")
struct ShopOperationsTests {
    /// A paid order of three lines (2 × Mug, 1 × Plate, 3 × Bowl); returns the order's JSON.
    static func paidOrder(_ client: some TestClientProtocol, _ store: StoreFixture) async throws -> (order: [String: Any], variants: [String]) {
        var variants: [String] = []
        for (title, price) in [("Mug", 1200), ("Plate", 2500), ("Bowl", 900)] {
            variants.append(try ProductRef(try await client.makeProduct(store, title: title, price: price, stock: 10)).variant)
        }
        let cart = try await client.call(
            .post, "/api/carts", store: store, staff: false,
            json: [
                "items": [["variantId": variants[0], "quantity": 2], ["variantId": variants[1], "quantity": 1], ["variantId": variants[2], "quantity": 3]]
            ])
        let cartID = try #require(cart.json["id"] as? String)
        let secret = try #require(cart.json["secret"] as? String)
        var body = checkoutBody
        body["paymentMethod"] = "bank_transfer"
        let placed = try await client.call(.post, "/api/carts/\(cartID)/checkout", store: store, staff: false, json: body, headers: [.cartSecret: secret])
        let orderID = try #require(placed.json["id"] as? String, "\(placed.text)")
        let paid = try await client.call(.post, "/api/orders/\(orderID)/mark-paid", store: store, json: [:])
        try #require(paid.status == .ok, "\(paid.text)")
        return (paid.json, variants)
    }

    /// The order's line ids in the order Mug, Plate, Bowl.
    static func lineIDs(_ order: [String: Any]) throws -> [String] {
        let lines = try #require(order["lines"] as? [[String: Any]])
        return try ["Mug", "Plate", "Bowl"].map { title in try #require(lines.first { $0["title"] as? String == title }?["id"] as? String) }
    }

    @Test("three lines shipped in two parts with tracking become fulfilled; over-shipping and bad tracking are refused", arguments: TestPlatform.storages)
    func shipInParts(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Parcel Shop")
            let (order, _) = try await Self.paidOrder(client, store)
            let id = try #require(order["id"] as? String)
            let lines = try Self.lineIDs(order)
            try #require(lines.count == 3)
            let tooMany = try await client.call(.post, "/api/orders/\(id)/fulfillments", store: store, json: ["lines": [["lineId": lines[0], "quantity": 3]]])
            #expect(tooMany.status == .unprocessableContent)
            #expect(tooMany.errorFields == ["lines.0.quantity"])
            let badURL = try await client.call(
                .post, "/api/orders/\(id)/fulfillments", store: store,
                json: ["lines": [["lineId": lines[0], "quantity": 1]], "trackingUrl": "javascript:alert(1)"])
            #expect(badURL.status == .unprocessableContent)
            let foreign = try await client.call(
                .post, "/api/orders/\(id)/fulfillments", store: store, json: ["lines": [["lineId": "line_01jd0000000000000000000000", "quantity": 1]]])
            #expect(foreign.errorFields == ["lines.0.lineId"])

            let first = try await client.call(
                .post, "/api/orders/\(id)/fulfillments", store: store,
                json: [
                    "lines": [["lineId": lines[0], "quantity": 2], ["lineId": lines[2], "quantity": 1]], "carrier": "DHL", "trackingNumber": "JD0001",
                    "trackingUrl": "https://track.example.test/JD0001",
                ])
            #expect(first.status == .created, "\(first.text)")
            #expect(first.json["status"] as? String == "partially_fulfilled")
            let listed = try await client.call(.get, "/api/orders?status=partially_fulfilled", store: store)
            #expect((listed.json["data"] as? [[String: Any]])?.count == 1)
            let second = try await client.call(
                .post, "/api/orders/\(id)/fulfillments", store: store, json: ["carrier": "UPS", "trackingNumber": "1Z999"])
            #expect(second.status == .created, "\(second.text)")
            #expect(second.json["status"] as? String == "fulfilled")
            let shipments = try #require(second.json["fulfillments"] as? [[String: Any]])
            #expect(shipments.map { $0["trackingNumber"] as? String } == ["JD0001", "1Z999"])
            #expect((shipments.last?["lines"] as? [[String: Any]])?.compactMap { $0["quantity"] as? Int }.sorted() == [1, 2])
            let again = try await client.call(.post, "/api/orders/\(id)/fulfillments", store: store, json: [:])
            #expect(again.status == .conflict)

            let mails = try await platform.mail(to: "shopper@example.test", store: store).filter { $0.subject.hasSuffix("is on its way") }
            #expect(mails.count == 2, "one mail per shipment")
            #expect(mails.contains { $0.text.contains("JD0001") && $0.text.contains("https://track.example.test/JD0001") })
            #expect(mails.contains { $0.text.contains("Part of order") })
        }
    }

    @Test("a return of one line with restock puts stock back and its refund is exactly that line", arguments: TestPlatform.storages)
    func returnAndRefund(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Return Shop")
            let (order, variants) = try await Self.paidOrder(client, store)
            let id = try #require(order["id"] as? String)
            let lines = try Self.lineIDs(order)
            let unshipped = try await client.call(.post, "/api/orders/\(id)/returns", store: store, json: ["lines": [["lineId": lines[1], "quantity": 1]]])
            #expect(unshipped.status == .unprocessableContent, "nothing shipped yet")
            #expect(try await client.call(.post, "/api/orders/\(id)/fulfillments", store: store, json: [:]).status == .created)

            let returned = try await client.call(
                .post, "/api/orders/\(id)/returns", store: store, json: ["lines": [["lineId": lines[1], "quantity": 1]], "restock": true, "reason": "Chipped"])
            #expect(returned.status == .created, "\(returned.text)")
            #expect(returned.json["status"] as? String == "partially_returned")
            let entry = try #require((returned.json["returns"] as? [[String: Any]])?.first)
            let returnID = try #require(entry["id"] as? String)
            #expect((entry["amount"] as? [String: Any])?["amount"] as? Int == 2500)
            let plate = try await client.call(.get, "/api/inventory/adjustments?variant_id=\(variants[1])", store: store)
            #expect((plate.json["data"] as? [[String: Any]])?.first?["reason"] as? String == "order_returned", "\(plate.text)")
            let product = try await client.call(.get, "/api/products?limit=100", store: store)
            let stocks = (product.json["data"] as? [[String: Any]] ?? []).flatMap { ($0["variants"] as? [[String: Any]]) ?? [] }
            #expect(stocks.first { $0["id"] as? String == variants[1] }?["stock"] as? Int == 10, "9 after the sale, 10 after the return")

            let refund = try await client.call(.post, "/api/orders/\(id)/refunds", store: store, json: ["returnId": returnID])
            #expect(refund.status == .created, "\(refund.text)")
            #expect((refund.json["amount"] as? [String: Any])?["amount"] as? Int == 2500)
            let twice = try await client.call(.post, "/api/orders/\(id)/refunds", store: store, json: ["returnId": returnID])
            #expect(twice.status == .conflict)
            let other = try await client.makeStore("Other Return Shop")
            #expect(try await client.call(.post, "/api/orders/\(id)/refunds", store: other, json: ["returnId": returnID]).status == .notFound)
            let again = try await client.call(.post, "/api/orders/\(id)/returns", store: store, json: ["lines": [["lineId": lines[1], "quantity": 1]]])
            #expect(again.errorFields == ["lines.0.quantity"], "a line comes back at most as often as it shipped")
        }
    }

    @Test("a fulfilment-only role ships but cannot touch products or refunds; nobody hands out what they do not hold", arguments: TestPlatform.storages)
    func permissions(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Role Shop")
            let (order, _) = try await Self.paidOrder(client, store)
            let id = try #require(order["id"] as? String)
            let role = try await client.call(.post, "/api/roles", store: store, json: ["name": "Fulfilment", "permissions": ["fulfillments"]])
            #expect(role.status == .created, "\(role.text)")
            let roleID = try #require(role.json["id"] as? String)
            #expect(
                try await client.call(.post, "/api/roles", store: store, json: ["name": "Bad", "permissions": ["everything"]]).status == .unprocessableContent)
            let invited = try await client.call(
                .post, "/api/staff", store: store, json: ["email": "packer@roleshop.test", "password": "packer password", "roleId": roleID])
            #expect(invited.status == .created, "\(invited.text)")
            let login = try await client.call(
                .post, "/api/auth/login", host: store.host, json: ["email": "packer@roleshop.test", "password": "packer password"])
            let packer = try #require(login.json["token"] as? String)
            let me = try await client.call(.get, "/api/auth/me", host: store.host, token: packer)
            #expect(me.json["permissions"] as? [String] == ["fulfillments"])

            #expect(try await client.call(.post, "/api/products", host: store.host, token: packer, json: ["title": "X", "price": 1]).status == .forbidden)
            #expect(try await client.call(.post, "/api/orders/\(id)/refunds", host: store.host, token: packer, json: [:]).status == .forbidden)
            #expect(try await client.call(.get, "/api/audit-log", host: store.host, token: packer).status == .forbidden)
            #expect(try await client.call(.post, "/api/roles", host: store.host, token: packer, json: ["name": "Me", "permissions": []]).status == .forbidden)
            #expect(try await client.call(.get, "/api/orders", host: store.host, token: packer).status == .ok)
            #expect(try await client.call(.get, "/api/orders/\(id)", host: store.host, token: packer).status == .ok)
            let shipped = try await client.call(.post, "/api/orders/\(id)/fulfillments", host: store.host, token: packer, json: ["trackingNumber": "P1"])
            #expect(shipped.status == .created, "\(shipped.text)")

            // A manager with the staff permission manages only within their own permissions.
            let managerRole = try await client.call(.post, "/api/roles", store: store, json: ["name": "Manager", "permissions": ["staff", "orders"]])
            let managerRoleID = try #require(managerRole.json["id"] as? String)
            _ = try await client.call(
                .post, "/api/staff", store: store, json: ["email": "boss@roleshop.test", "password": "manager password", "roleId": managerRoleID])
            let bossLogin = try await client.call(
                .post, "/api/auth/login", host: store.host, json: ["email": "boss@roleshop.test", "password": "manager password"])
            let boss = try #require(bossLogin.json["token"] as? String)
            let escalate = try await client.call(
                .post, "/api/staff", host: store.host, token: boss, json: ["email": "friend@roleshop.test", "roleId": StaffRolesDefault.id])
            #expect(escalate.status == .forbidden, "the built-in Staff role holds products, payments…")
            let owner = try await client.call(.post, "/api/staff", host: store.host, token: boss, json: ["email": "owner2@roleshop.test", "role": "owner"])
            #expect(owner.status == .forbidden)
            let packerID = try #require(invited.json["id"] as? String)
            let over = try await client.call(.patch, "/api/staff/\(packerID)", host: store.host, token: boss, json: ["roleId": managerRoleID])
            #expect(over.status == .forbidden, "the packer holds fulfillments, which the manager does not")
            #expect(try await client.call(.patch, "/api/staff/\(packerID)", store: store, json: ["roleId": managerRoleID]).status == .ok)

            // API keys carry scopes, within their creator's permissions.
            let key = try await client.call(.post, "/api/api-keys", store: store, json: ["name": "Catalog sync", "scopes": ["products"]])
            let secret = try #require(key.json["secret"] as? String)
            #expect(try await client.call(.get, "/api/orders", host: store.host, token: secret).status == .forbidden)
            #expect(try await client.call(.get, "/api/products/export", host: store.host, token: secret).status == .ok)

            // A key follows its maker: the manager's key loses `orders` when the manager does.
            let appsRole = try await client.call(.post, "/api/roles", store: store, json: ["name": "Integrator", "permissions": ["apps", "orders"]])
            let appsRoleID = try #require(appsRole.json["id"] as? String)
            let integrator = try await client.call(
                .post, "/api/staff", store: store, json: ["email": "dev@roleshop.test", "password": "integrator pass", "roleId": appsRoleID])
            let devLogin = try await client.call(
                .post, "/api/auth/login", host: store.host, json: ["email": "dev@roleshop.test", "password": "integrator pass"])
            let dev = try #require(devLogin.json["token"] as? String)
            let devKey = try await client.call(.post, "/api/api-keys", host: store.host, token: dev, json: ["name": "Sync", "scopes": ["orders"]])
            let devSecret = try #require(devKey.json["secret"] as? String, "\(devKey.text)")
            #expect(try await client.call(.post, "/api/api-keys", host: store.host, token: devSecret, json: ["name": "Child"]).status == .forbidden)
            #expect(try await client.call(.get, "/api/orders", host: store.host, token: devSecret).status == .ok)
            #expect(try await client.call(.patch, "/api/roles/\(appsRoleID)", store: store, json: ["permissions": ["apps"]]).status == .ok)
            #expect(try await client.call(.get, "/api/orders", host: store.host, token: devSecret).status == .forbidden)
            let integratorID = try #require(integrator.json["id"] as? String)
            #expect(try await client.call(.delete, "/api/staff/\(integratorID)", store: store).status == .noContent)
            #expect(try await client.call(.get, "/api/auth/me", host: store.host, token: devSecret).status == .unauthorized, "revoked with its maker")

            // Webhooks carry whole orders: subscribing needs the orders permission too.
            let hooksRole = try await client.call(.post, "/api/roles", store: store, json: ["name": "Hooks", "permissions": ["webhooks"]])
            _ = try await client.call(
                .post, "/api/staff", store: store,
                json: ["email": "hooks@roleshop.test", "password": "hooks password", "roleId": try #require(hooksRole.json["id"] as? String)])
            let hooksLogin = try await client.call(
                .post, "/api/auth/login", host: store.host, json: ["email": "hooks@roleshop.test", "password": "hooks password"])
            let hooks = try #require(hooksLogin.json["token"] as? String)
            let orderHook = try await client.call(
                .post, "/api/webhooks", host: store.host, token: hooks, json: ["url": "http://127.0.0.1:9/hook", "events": ["order.paid"]])
            #expect(orderHook.status == .forbidden)

            let log = try await client.call(.get, "/api/audit-log?limit=100", store: store)
            let actions = try #require(log.json["data"] as? [[String: Any]]).compactMap { $0["action"] as? String }
            for action in ["role.created", "staff.invited", "staff.role_changed", "fulfillment.created", "order.marked_paid", "api_key.created"] {
                #expect(actions.contains(action), "\(action) in \(actions)")
            }
            #expect(try await client.call(.delete, "/api/roles/\(managerRoleID)", store: store).status == .conflict, "held by two members")
        }
    }
}

extension ShopOperationsTests {
    @Test("a draft order is priced like a cart and becomes a paid order once; bad drafts change nothing", arguments: TestPlatform.storages)
    func draftOrder(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Draft Shop")
            let variant = try ProductRef(try await client.makeProduct(store, title: "Chair", price: 15000, stock: 3)).variant
            let address: [String: Any] = ["name": "Wholesale Ltd", "line1": "2 Dock Rd", "city": "Leeds", "postalCode": "LS1 1AA", "country": "GB"]
            let missing = try await client.call(
                .post, "/api/draft-orders", store: store, json: ["email": "not an address", "lines": [], "shippingAddress": address])
            #expect(missing.status == .unprocessableContent)
            let tooMany = try await client.call(
                .post, "/api/draft-orders", store: store,
                json: ["email": "buyer@example.test", "lines": [["variantId": variant, "quantity": 4]], "shippingAddress": address])
            #expect(tooMany.status == .unprocessableContent || tooMany.status == .conflict, "\(tooMany.text)")
            #expect((try await client.call(.get, "/api/draft-orders", store: store).json["data"] as? [Any])?.isEmpty == true, "nothing was made")

            let draft = try await client.call(
                .post, "/api/draft-orders", store: store,
                json: ["email": "buyer@example.test", "lines": [["variantId": variant, "quantity": 2]], "shippingAddress": address, "note": "Phone order"])
            #expect(draft.status == .created, "\(draft.text)")
            let draftID = try #require(draft.json["id"] as? String)
            #expect(((draft.json["cart"] as? [String: Any])?["subtotal"] as? [String: Any])?["amount"] as? Int == 30000)

            let packerRole = try await client.call(.post, "/api/roles", store: store, json: ["name": "Orders", "permissions": ["orders"]])
            _ = try await client.call(
                .post, "/api/staff", store: store,
                json: ["email": "clerk@draftshop.test", "password": "clerk password", "roleId": try #require(packerRole.json["id"] as? String)])
            let clerk = try #require(
                try await client.call(.post, "/api/auth/login", host: store.host, json: ["email": "clerk@draftshop.test", "password": "clerk password"])
                    .json["token"] as? String)
            let unpaid = try await client.call(.post, "/api/draft-orders/\(draftID)/complete", host: store.host, token: clerk, json: ["markPaid": true])
            #expect(unpaid.status == .forbidden, "marking paid needs the payments permission")

            let completed = try await client.call(.post, "/api/draft-orders/\(draftID)/complete", store: store, json: ["markPaid": true])
            #expect(completed.status == .created, "\(completed.text)")
            #expect(completed.json["status"] as? String == "paid")
            let orderID = try #require(completed.json["id"] as? String)
            let again = try await client.call(.post, "/api/draft-orders/\(draftID)/complete", store: store, json: ["markPaid": true])
            #expect(again.json["id"] as? String == orderID, "completing twice gives the same order")
            let payments = try await client.call(.get, "/api/orders/\(orderID)/payments", store: store)
            #expect((payments.json["data"] as? [Any])?.count == 1, "paid once")
            let read = try await client.call(.get, "/api/draft-orders/\(draftID)", store: store)
            #expect(read.json["status"] as? String == "completed" && read.json["orderId"] as? String == orderID)
            let log = try await client.call(.get, "/api/audit-log?action=draft_order", store: store)
            #expect(
                (log.json["data"] as? [[String: Any]])?.compactMap { $0["action"] as? String }.sorted() == ["draft_order.completed", "draft_order.created"])
            let other = try await client.makeStore("Other Draft Shop")
            #expect(try await client.call(.get, "/api/draft-orders/\(draftID)", store: other).status == .notFound)
        }
    }
}

extension ShopOperationsTests {
    @Test("notes stay with staff; orders export as CSV for a date range; bad ranges are refused", arguments: TestPlatform.storages)
    func notesAndExport(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Export Shop")
            let product = try ProductRef(try await client.makeProduct(store, title: "Lamp, =SUM(A1)", price: 4500, stock: 5))
            let cart = try await client.makeCart(store, variantID: product.variant, quantity: 2)
            let placed = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
            let orderID = try #require(placed.json["id"] as? String)
            let note = try await client.call(.post, "/api/orders/\(orderID)/notes", store: store, json: ["text": "Customer asked for gift wrap"])
            #expect(note.status == .created, "\(note.text)")
            #expect(try await client.call(.post, "/api/orders/\(orderID)/notes", store: store, json: ["text": "  "]).status == .unprocessableContent)
            let staffView = try await client.call(.get, "/api/orders/\(orderID)", store: store)
            #expect((staffView.json["events"] as? [[String: Any]])?.contains { $0["type"] as? String == "note" } == true)
            let shopperView = try await client.call(.get, "/api/orders/\(orderID)", store: store, staff: false, headers: [.cartSecret: cart.secret])
            #expect(shopperView.status == .ok)
            #expect(shopperView.text.contains("gift wrap") == false, "a note never reaches the shopper")

            let today = String(Date().stamp.prefix(10))
            let export = try await client.call(.get, "/api/orders/export?from=\(today)&to=\(today)", store: store)
            #expect(export.status == .ok)
            #expect(export.headers[.contentType]?.hasPrefix("text/csv") == true)
            let rows = export.text.split(separator: "\r\n")
            #expect(rows.count == 2, "a header and one line")
            #expect(rows.last?.contains("\"'Lamp, =SUM(A1)\"") == false && rows.last?.contains("Lamp, =SUM(A1)") == true)
            #expect(rows.last?.hasPrefix("#1001,") == true)
            let empty = try await client.call(.get, "/api/orders/export?from=2020-01-01&to=2020-01-31", store: store)
            #expect(empty.text.split(separator: "\r\n").count == 1)
            for query in ["from=2026-13-01&to=2026-12-31", "from=2026-12-31&to=2026-01-01", "from=2020-01-01&to=2026-01-01", "to=2026-01-01"] {
                #expect(try await client.call(.get, "/api/orders/export?\(query)", store: store).status == .unprocessableContent, "\(query)")
            }
            #expect(try await client.call(.get, "/api/orders/export?from=\(today)&to=\(today)", store: store, staff: false).status == .unauthorized)
        }
    }
}

extension ShopOperationsTests {
    @Test("abandoned checkouts: carts with an e-mail and items, left for hours, no order", arguments: TestPlatform.storages)
    func abandoned(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Abandon Shop")
            let variant = try ProductRef(try await client.makeProduct(store, title: "Vase", price: 3000, stock: 9)).variant
            var carts: [String: String] = [:]
            for (name, email) in [("left", "left@example.test"), ("anonymous", nil), ("ordered", "buyer@example.test"), ("fresh", "fresh@example.test")] {
                var body: [String: Any] = ["items": [["variantId": variant, "quantity": 1]]]
                if let email { body["email"] = email }
                let cart = try await client.call(.post, "/api/carts", store: store, staff: false, json: body)
                carts[name] = try #require(cart.json["id"] as? String, "\(cart.text)")
                if name == "ordered" {
                    let secret = try #require(cart.json["secret"] as? String)
                    let placed = try await client.call(
                        .post, "/api/carts/\(carts[name] ?? "")/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: secret])
                    #expect(placed.status == .created)
                }
            }
            let old = Date().addingTimeInterval(-7 * 3600).stamp
            let stale = [carts["left"], carts["anonymous"], carts["ordered"]].compactMap { $0 }
            try await platform.withStoreDatabase(store) { database in
                try await database.write { sql in try await sql.raw("UPDATE carts SET updated_at = \(bind: old) WHERE id IN (\(binds: stale))").run() }
            }
            let listed = try await client.call(.get, "/api/checkouts/abandoned", store: store)
            #expect(listed.status == .ok)
            let ids = try #require(listed.json["data"] as? [[String: Any]]).compactMap { $0["id"] as? String }
            #expect(ids == [carts["left"]].compactMap { $0 }, "only the cart left with an address, \(ids)")
            let longer = try await client.call(.get, "/api/checkouts/abandoned?hours=8", store: store)
            #expect((longer.json["data"] as? [Any])?.isEmpty == true)
            #expect(try await client.call(.get, "/api/checkouts/abandoned?hours=0", store: store).status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/checkouts/abandoned", store: store, staff: false).status == .unauthorized)
            let other = try await client.makeStore("Other Abandon Shop")
            #expect((try await client.call(.get, "/api/checkouts/abandoned", store: other).json["data"] as? [Any])?.isEmpty == true)
            let browser = BrowserClient(client)
            try await browser.signInToAdmin(host: store.host, email: store.ownerEmail)
            let page = try await browser.get("/admin/drafts/abandoned", host: store.host)
            #expect(page.html.contains("left@example.test") && !page.html.contains("fresh@example.test"))
        }
    }
}

enum StaffRolesDefault {
    static let id = "role_staff"
}
