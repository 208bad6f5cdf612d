import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Carts and checkout")
struct CheckoutTests {
    @Test("cart totals: lines, flat shipping and tax in minor units", arguments: TestPlatform.storages)
    func totals(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Total Shop")
            let settings = try await client.call(.put, "/api/settings", store: store, json: ["taxRate": 8.25, "shippingRate": 499])
            #expect(settings.status == .ok, "\(settings.text)")
            let product = try await client.makeProduct(store, title: "Lamp", price: 1999, stock: 10)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let cart = try await client.makeCart(store, variantID: variant, quantity: 3)
            let read = try await client.call(.get, "/api/carts/\(cart.id)", store: store, staff: false, headers: [.cartSecret: cart.secret])
            #expect(read.status == .ok)
            func amount(_ key: String) -> Int? { (read.json[key] as? [String: Any])?["amount"] as? Int }
            #expect(amount("subtotal") == 5997)
            #expect(amount("shipping") == 499)
            #expect(amount("tax") == 495)  // 5997 × 8.25 % = 494.75, rounded half up
            #expect(amount("total") == 5997 + 499 + 495)
            #expect(read.json["secret"] == nil)
        }
    }

    @Test("cart rules: secret, quantities, unknown variants, stock, line changes", arguments: TestPlatform.storages)
    func cartRules(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Cart Rules")
            let product = try await client.makeProduct(store, title: "Kettle", price: 3000, stock: 4)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let draft = try await client.makeProduct(store, title: "Hidden", price: 100, stock: 4, extra: ["status": "draft"])
            let draftVariant = try #require((draft["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let cart = try await client.makeCart(store, variantID: variant, quantity: 1)
            let secret: [HTTPField.Name: String] = [.cartSecret: cart.secret]

            #expect(try await client.call(.get, "/api/carts/\(cart.id)", store: store, staff: false).status == .notFound)
            #expect(try await client.call(.get, "/api/carts/\(cart.id)", store: store, staff: false, headers: [.cartSecret: "wrong"]).status == .notFound)
            #expect(try await client.call(.get, "/api/carts/\(cart.id)", store: store).status == .ok)  // staff

            for quantity in [0, -1, 1_000_000] {
                let response = try await client.call(
                    .post, "/api/carts/\(cart.id)/items", store: store, staff: false, json: ["variantId": variant, "quantity": quantity], headers: secret)
                #expect(response.status == .unprocessableContent, "quantity \(quantity)")
                #expect(response.errorFields == ["quantity"])
            }
            let fraction = try await client.call(
                .post, "/api/carts/\(cart.id)/items", store: store, staff: false, raw: #"{"variantId": "\#(variant)", "quantity": 1.5}"#, headers: secret)
            #expect(fraction.status == .unprocessableContent)
            let unknown = try await client.call(
                .post, "/api/carts/\(cart.id)/items", store: store, staff: false, json: ["variantId": "var_01jd0000000000000000000000", "quantity": 1],
                headers: secret)
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.errorFields == ["variantId"])
            let hidden = try await client.call(
                .post, "/api/carts/\(cart.id)/items", store: store, staff: false, json: ["variantId": draftVariant, "quantity": 1], headers: secret)
            #expect(hidden.status == .unprocessableContent)
            let tooMany = try await client.call(
                .post, "/api/carts/\(cart.id)/items", store: store, staff: false, json: ["variantId": variant, "quantity": 4], headers: secret)
            #expect(tooMany.status == .conflict)
            #expect(tooMany.errorFields == [variant])

            let added = try await client.call(
                .post, "/api/carts/\(cart.id)/items", store: store, staff: false, json: ["variantId": variant, "quantity": 2], headers: secret)
            #expect(added.status == .ok)
            let items = try #require(added.json["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items.first?["quantity"] as? Int == 3)
            let itemID = try #require(items.first?["id"] as? String)

            let changed = try await client.call(
                .patch, "/api/carts/\(cart.id)/items/\(itemID)", store: store, staff: false, json: ["quantity": 2], headers: secret)
            #expect((changed.json["items"] as? [[String: Any]])?.first?["quantity"] as? Int == 2)
            let removed = try await client.call(.delete, "/api/carts/\(cart.id)/items/\(itemID)", store: store, staff: false, headers: secret)
            #expect((removed.json["items"] as? [Any])?.isEmpty == true)
            #expect(try await client.call(.delete, "/api/carts/\(cart.id)/items/\(itemID)", store: store, staff: false, headers: secret).status == .notFound)

            let empty = try await client.call(.post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: secret)
            #expect(empty.status == .conflict)
        }
    }

    @Test("checkout creates order #1001, takes stock, and replays by Idempotency-Key", arguments: TestPlatform.storages)
    func checkoutAndIdempotency(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Checkout Shop")
            let product = try await client.makeProduct(store, title: "Teapot", price: 2500, stock: 5)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let cart = try await client.makeCart(store, variantID: variant, quantity: 2)
            let headers: [HTTPField.Name: String] = [.cartSecret: cart.secret, .idempotencyKey: "checkout-1"]

            let bad = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false,
                json: ["email": "nope", "shippingAddress": ["name": "", "line1": "x", "city": "y", "postalCode": "1", "country": "XX"]], headers: headers)
            #expect(bad.status == .unprocessableContent)
            #expect(Set(bad.errorFields) == ["email", "shippingAddress.name", "shippingAddress.country"])

            let first = try await client.call(.post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: headers)
            #expect(first.status == .created, "\(first.text)")
            #expect(first.json["name"] as? String == "#1001")
            #expect(first.json["status"] as? String == "pending")
            #expect((first.json["total"] as? [String: Any])?["amount"] as? Int == 5000)
            let line = (first.json["lines"] as? [[String: Any]])?.first
            #expect((line?["unitPrice"] as? [String: Any])?["amount"] as? Int == 2500)

            let replay = try await client.call(.post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: headers)
            #expect(replay.status == .created)
            #expect(replay.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(replay.text == first.text)

            var otherBody = checkoutBody
            otherBody["email"] = "someone-else@example.test"
            let mismatch = try await client.call(.post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: otherBody, headers: headers)
            #expect(mismatch.status == .unprocessableContent)
            #expect(mismatch.errorFields == ["Idempotency-Key"])

            // Without a key, a checked-out cart answers with its order.
            let again = try await client.call(
                .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
            #expect(again.status == .ok)
            #expect(again.json["id"] as? String == first.json["id"] as? String)

            let stock = try await client.call(.get, "/api/products/teapot", store: store)
            #expect(stock.json["stock"] as? Int == 3)
            let locked = try await client.call(
                .post, "/api/carts/\(cart.id)/items", store: store, staff: false, json: ["variantId": variant, "quantity": 1],
                headers: [.cartSecret: cart.secret])
            #expect(locked.status == .conflict)

            // The next order gets the next number.
            let second = try await client.makeCart(store, variantID: variant, quantity: 1)
            let next = try await client.call(
                .post, "/api/carts/\(second.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: second.secret])
            #expect(next.json["name"] as? String == "#1002")
        }
    }

    @Test("too little stock at checkout is a 409 naming the variant, and changes nothing", arguments: TestPlatform.storages)
    func insufficientStock(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Scarce Shop")
            let plenty = try await client.makeProduct(store, title: "Plenty", price: 100, stock: 50)
            let scarce = try await client.makeProduct(store, title: "Scarce", price: 100, stock: 2)
            let plentyVariant = try #require((plenty["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let scarceVariant = try #require((scarce["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let cart = try await client.makeCart(store, variantID: plentyVariant, quantity: 5)
            let added = try await client.call(
                .post, "/api/carts/\(cart.id)/items", store: store, staff: false, json: ["variantId": scarceVariant, "quantity": 2],
                headers: [.cartSecret: cart.secret])
            #expect(added.status == .ok)
            // Someone else buys one of the scarce ones meanwhile.
            let adjust = try await client.call(
                .post, "/api/inventory/adjustments", store: store, json: ["variantId": scarceVariant, "delta": -1, "reason": "damaged"])
            #expect(adjust.status == .created)
            let below = try await client.call(
                .post, "/api/inventory/adjustments", store: store, json: ["variantId": scarceVariant, "delta": -5, "reason": "oops"])
            #expect(below.status == .conflict)
            // The fuzzer's find: the smallest Int is refused as out of range, not a crash.
            let smallest = try await client.call(
                .post, "/api/inventory/adjustments", store: store, raw: #"{"variantId":"\#(scarceVariant)","delta":-9223372036854775808,"reason":"x"}"#)
            #expect(smallest.status == .unprocessableContent, "\(smallest.text)")

            let key: [HTTPField.Name: String] = [.cartSecret: cart.secret, .idempotencyKey: "scarce-1"]
            let refused = try await client.call(.post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: key)
            #expect(refused.status == .conflict)
            #expect(refused.errorFields == [scarceVariant])
            // The refusal is remembered under its key.
            let replayed = try await client.call(.post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: key)
            #expect(replayed.status == .conflict)
            #expect(replayed.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")

            #expect(try await client.call(.get, "/api/products/plenty", store: store).json["stock"] as? Int == 50)
            #expect(try await client.call(.get, "/api/products/scarce", store: store).json["stock"] as? Int == 1)
            let orders = try await client.call(.get, "/api/orders", store: store)
            #expect((orders.json["data"] as? [Any])?.isEmpty == true)
            let cartNow = try await client.call(.get, "/api/carts/\(cart.id)", store: store, staff: false, headers: [.cartSecret: cart.secret])
            #expect(cartNow.json["status"] as? String == "active")
        }
    }

    @Test("100 concurrent checkouts of one unit against a stock of 10: 10 orders, 90 clean 409s")
    func raceForTheLastUnits() async throws {
        try await TestPlatform.withPlatform { _, client in
            try await raceScenario(client)
        }
    }

    @Test("a cart idle for 30 days has expired: reads, changes and checkout are 404s", arguments: TestPlatform.storages)
    func expiry(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Expiry Shop")
            let product = try await client.makeProduct(store, title: "Old Thing", price: 100, stock: 5)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let cart = try await client.makeCart(store, variantID: variant, quantity: 1)
            let created = try await client.call(.get, "/api/carts/\(cart.id)", store: store, staff: false, headers: [.cartSecret: cart.secret])
            let expires = try #require(created.json["expiresAt"] as? String)
            #expect(expires > (created.json["updatedAt"] as? String ?? ""))
            // Thirty days pass.
            let location = try #require(try await platform.services.registry.find(idOrSlug: store.slug)?.database)
            try await platform.services.databases.withDatabase(tenantID: store.id, location: location) { database in
                try await database.write { sql in
                    try await sql.raw("UPDATE carts SET expires_at = '2020-01-01T00:00:00.000Z' WHERE id = \(bind: cart.id)").run()
                }
            }
            let secret: [HTTPField.Name: String] = [.cartSecret: cart.secret]
            #expect(try await client.call(.get, "/api/carts/\(cart.id)", store: store, staff: false, headers: secret).status == .notFound)
            #expect(
                try await client.call(
                    .post, "/api/carts/\(cart.id)/items", store: store, staff: false, json: ["variantId": variant, "quantity": 1], headers: secret
                ).status == .notFound)
            #expect(
                try await client.call(.post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: secret).status
                    == .notFound)
            #expect(try await client.call(.get, "/api/products/old-thing", store: store).json["stock"] as? Int == 5)
        }
    }

    @Test("a stale cart: prices are read live and snapshotted at checkout; a product withdrawn meanwhile stops checkout", arguments: TestPlatform.storages)
    func staleCart(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Stale Shop")
            let lamp = try await client.makeProduct(store, title: "Lamp", price: 1000, stock: 5)
            let lampVariant = try #require((lamp["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let lampID = try #require(lamp["id"] as? String)
            let cart = try await client.makeCart(store, variantID: lampVariant, quantity: 2)
            let secret: [HTTPField.Name: String] = [.cartSecret: cart.secret]
            #expect(try await client.call(.patch, "/api/products/\(lampID)", store: store, json: ["price": 1250]).status == .ok)
            let read = try await client.call(.get, "/api/carts/\(cart.id)", store: store, staff: false, headers: secret)
            #expect((read.json["subtotal"] as? [String: Any])?["amount"] as? Int == 2500)

            let rug = try await client.makeProduct(store, title: "Rug", price: 500, stock: 5)
            let rugVariant = try #require((rug["variants"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(
                try await client.call(
                    .post, "/api/carts/\(cart.id)/items", store: store, staff: false, json: ["variantId": rugVariant, "quantity": 1], headers: secret
                ).status == .ok)
            #expect(
                try await client.call(.patch, "/api/products/\(try #require(rug["id"] as? String))", store: store, json: ["status": "archived"]).status == .ok)
            let withdrawn = try await client.call(.get, "/api/carts/\(cart.id)", store: store, staff: false, headers: secret)
            #expect((withdrawn.json["items"] as? [[String: Any]])?.last?["available"] as? Bool == false)
            #expect((withdrawn.json["subtotal"] as? [String: Any])?["amount"] as? Int == 2500)
            let refused = try await client.call(.post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: secret)
            #expect(refused.status == .conflict)
            #expect(refused.errorFields == [rugVariant])

            let itemID = try #require((withdrawn.json["items"] as? [[String: Any]])?.last?["id"] as? String)
            #expect(try await client.call(.delete, "/api/carts/\(cart.id)/items/\(itemID)", store: store, staff: false, headers: secret).status == .ok)
            let order = try await client.call(.post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: secret)
            #expect(order.status == .created)
            #expect(((order.json["lines"] as? [[String: Any]])?.first?["unitPrice"] as? [String: Any])?["amount"] as? Int == 1250)
            // Later price changes do not touch the order.
            #expect(try await client.call(.patch, "/api/products/\(lampID)", store: store, json: ["price": 9999]).status == .ok)
            let orderID = try #require(order.json["id"] as? String)
            #expect((try await client.call(.get, "/api/orders/\(orderID)", store: store).json["total"] as? [String: Any])?["amount"] as? Int == 2500)
        }
    }

    @Test("two tabs checking out one cart get one order", arguments: TestPlatform.storages)
    func twoTabs(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Two Tabs")
            let product = try await client.makeProduct(store, title: "Clock", price: 4000, stock: 5)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let cart = try await client.makeCart(store, variantID: variant, quantity: 1)
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        let response = try await client.call(
                            .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
                        return response.json["id"] as? String
                    }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(ids.compactMap { $0 }.count == 2)
            #expect(Set(ids.compactMap { $0 }).count == 1)
            #expect(try await client.call(.get, "/api/products/clock", store: store).json["stock"] as? Int == 4)
        }
    }
}

/// One store, stock 10, 100 carts of one unit each, all checked out at once.
func raceScenario(_ client: some TestClientProtocol) async throws {
    let store = try await client.makeStore("Race Shop")
    let product = try await client.makeProduct(store, title: "Last Units", price: 999, stock: 10)
    let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
    var carts: [(id: String, secret: String)] = []
    for _ in 0..<100 { carts.append(try await client.makeCart(store, variantID: variant, quantity: 1)) }
    let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, [String]).self) { group in
        for (index, cart) in carts.enumerated() {
            group.addTask {
                let response = try await client.call(
                    .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody,
                    headers: [.cartSecret: cart.secret, .idempotencyKey: "race-\(index)"])
                return (response.status, response.errorFields)
            }
        }
        return try await group.reduce(into: [(HTTPResponse.Status, [String])]()) { $0.append($1) }
    }
    #expect(statuses.filter { $0.0 == .created }.count == 10)
    let refused = statuses.filter { $0.0 == .conflict }
    #expect(refused.count == 90)
    #expect(refused.allSatisfy { $0.1 == [variant] })
    #expect(try await client.call(.get, "/api/products/last-units", store: store).json["stock"] as? Int == 0)
    let orders = try await client.call(.get, "/api/orders?limit=100", store: store)
    let names = Set((orders.json["data"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
    #expect(names == Set((1001...1010).map { "#\($0)" }))
}
