import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Discount codes and automatic discounts through the API: the German cart with a 10 % code,
/// the reasons a code is refused, a limit that holds under concurrent checkouts, and a use
/// given back by a cancellation.
@Suite("Discounts")
struct DiscountTests {
    func amounts(_ json: [String: Any]) -> [String: Int] {
        (json["totals"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? [String: Any])?["amount"] as? Int }
    }

    @Test("a 10 % code on the German cart comes off before VAT, per line", arguments: TestPlatform.storages)
    func germanCart(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let economics = CheckoutEconomicsTests()
            let shop = try await economics.shop(client, "Discount DE")
            let created = try await client.call(.post, "/api/discounts", store: shop.store, json: ["code": "tenoff", "kind": "percentage", "value": 10])
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["code"] as? String == "TENOFF")
            let (cartID, secret) = try await economics.cart(client, shop)
            let host = shop.store.host
            _ = try await client.call(
                .put, "/api/carts/\(cartID)/address", host: host, json: ["shippingAddress": CheckoutEconomicsTests.germany], headers: [.cartSecret: secret])
            let coded = try await client.call(.post, "/api/carts/\(cartID)/discounts", host: host, json: ["code": "TenOff"], headers: [.cartSecret: secret])
            #expect(coded.status == .ok, "\(coded.text)")
            // 10 % of 23.80 and 10.70; VAT inside what is left: 3.42 + 0.63, and 1.58 on shipping.
            #expect(amounts(coded.json) == ["subtotal": 3450, "discount": 345, "shipping": 990, "tax": 563, "total": 4095])
            let items = try #require(coded.json["items"] as? [[String: Any]])
            let byVariant = Dictionary(items.map { ($0["variantId"] as? String ?? "", ($0["discount"] as? [String: Any])?["amount"] as? Int ?? -1) }) { a, _ in
                a
            }
            #expect(byVariant == [shop.mug.variant: 238, shop.book.variant: 107])
            #expect((coded.json["discounts"] as? [[String: Any]])?.first?["code"] as? String == "TENOFF")
            var body = checkoutBody
            body["shippingAddress"] = CheckoutEconomicsTests.germany
            let order = try await client.call(.post, "/api/carts/\(cartID)/checkout", host: host, json: body, headers: [.cartSecret: secret])
            #expect(order.status == .created, "\(order.text)")
            #expect(amounts(order.json) == ["subtotal": 3450, "discount": 345, "shipping": 990, "tax": 563, "total": 4095])
            #expect((order.json["discounts"] as? [[String: Any]])?.first?["code"] as? String == "TENOFF")
            let used = try await client.call(.get, "/api/discounts/\(created.json["id"] as? String ?? "")", store: shop.store)
            #expect(used.json["timesUsed"] as? Int == 1)
        }
    }

    @Test("a refused code says why, and changes nothing")
    func reasons() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Discount Reasons")
            let product = try ProductRef(try await client.makeProduct(store, title: "Pen", price: 500, stock: 50))
            let discounts: [[String: Any]] = [
                ["code": "OLD", "kind": "percentage", "value": 10, "endsAt": "2020-01-01T00:00:00Z"],
                ["code": "SOON", "kind": "percentage", "value": 10, "startsAt": "2099-01-01T00:00:00Z"],
                ["code": "BIG", "kind": "fixed", "value": 500, "minSubtotal": 10000],
                ["code": "MANY", "kind": "percentage", "value": 5, "minQuantity": 3],
                ["code": "ALONE", "kind": "free_shipping"],
                ["code": "SHARE", "kind": "percentage", "value": 5, "combinable": true],
            ]
            for discount in discounts { #expect(try await client.call(.post, "/api/discounts", store: store, json: discount).status == .created) }
            let cart = try await client.makeCart(store, variantID: product.variant, quantity: 1)
            let expected = [
                ("NOPE", "is not a discount code of this store"), ("OLD", "has expired"), ("SOON", "is not valid yet"),
                ("BIG", "needs a subtotal of at least 100.00 USD"), ("MANY", "needs at least 3 eligible items"),
            ]
            for (code, reason) in expected {
                let refused = try await client.call(
                    .post, "/api/carts/\(cart.id)/discounts", store: store, staff: false, json: ["code": code], headers: [.cartSecret: cart.secret])
                #expect(refused.status == .unprocessableContent, "\(code)")
                let message = (refused.json["errors"] as? [[String: Any]])?.first?["message"] as? String ?? ""
                #expect(message.hasSuffix(reason), "\(code): \(message)")
            }
            let alone = try await client.call(
                .post, "/api/carts/\(cart.id)/discounts", store: store, staff: false, json: ["code": "ALONE"], headers: [.cartSecret: cart.secret])
            #expect(alone.status == .ok)
            let share = try await client.call(
                .post, "/api/carts/\(cart.id)/discounts", store: store, staff: false, json: ["code": "SHARE"], headers: [.cartSecret: cart.secret])
            #expect(share.status == .conflict, "ALONE is not combinable")
            let current = try await client.call(.get, "/api/carts/\(cart.id)", store: store, staff: false, headers: [.cartSecret: cart.secret])
            #expect((current.json["discountCodes"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == ["ALONE"])
            let removed = try await client.call(
                .delete, "/api/carts/\(cart.id)/discounts/alone", store: store, staff: false, headers: [.cartSecret: cart.secret])
            #expect((removed.json["discountCodes"] as? [[String: Any]])?.isEmpty == true)
            #expect(
                try await client.call(.delete, "/api/carts/\(cart.id)/discounts/ALONE", store: store, staff: false, headers: [.cartSecret: cart.secret]).status
                    == .notFound)
            #expect(
                try await client.call(.post, "/api/carts/\(cart.id)/discounts", store: store, staff: false, json: ["code": "SHARE"]).status == .notFound,
                "no secret")
        }
    }

    @Test("a code limited to 5 uses gives exactly 5 orders from 20 concurrent checkouts; a cancellation gives one back", arguments: TestPlatform.storages)
    func usageLimit(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Discount Limit")
            let product = try ProductRef(try await client.makeProduct(store, title: "Ticket", price: 1000, stock: 100))
            let created = try await client.call(.post, "/api/discounts", store: store, json: ["code": "FIVE", "kind": "fixed", "value": 300, "usageLimit": 5])
            let discountID = try #require(created.json["id"] as? String)
            var carts: [(id: String, secret: String)] = []
            for _ in 0..<21 {
                let cart = try await client.makeCart(store, variantID: product.variant, quantity: 1)
                let coded = try await client.call(
                    .post, "/api/carts/\(cart.id)/discounts", store: store, staff: false, json: ["code": "FIVE"], headers: [.cartSecret: cart.secret])
                try #require(coded.status == .ok)
                carts.append(cart)
            }
            let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for cart in carts.prefix(20) {
                    group.addTask {
                        let response = try await client.call(
                            .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
                        return (response.status, response.json["id"] as? String)
                    }
                }
                return try await group.reduce(into: [(HTTPResponse.Status, String?)]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == .created }.count == 5)
            #expect(statuses.filter { $0.0 == .conflict }.count == 15)
            #expect(try await client.call(.get, "/api/discounts/\(discountID)", store: store).json["timesUsed"] as? Int == 5)
            #expect(try await client.call(.get, "/api/products/\(product.id)", store: store).json["stock"] as? Int == 95, "only the 5 orders took stock")
            let orderID = try #require(statuses.first { $0.0 == .created }?.1)
            #expect(try await client.call(.post, "/api/orders/\(orderID)/cancel", store: store, json: [:]).status == .ok)
            #expect(try await client.call(.get, "/api/discounts/\(discountID)", store: store).json["timesUsed"] as? Int == 4)
            let last = try #require(carts.last)
            let again = try await client.call(
                .post, "/api/carts/\(last.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: last.secret])
            #expect(again.status == .created, "the use given back is there to take: \(again.text)")
            #expect(amounts(again.json)["discount"] == 300)
        }
    }

    @Test(
        "checkouts with an automatic discount beside cancellations of orders that used it: none fails, uses and stock add up",
        arguments: TestPlatform.storages)
    func checkoutsBesideCancellations(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Discount Race")
            let product = try ProductRef(try await client.makeProduct(store, title: "Mug", price: 1000, stock: 100))
            let created = try await client.call(
                .post, "/api/discounts", store: store, json: ["automatic": true, "title": "Ten off", "kind": "percentage", "value": 10])
            let discountID = try #require(created.json["id"] as? String)
            var placed: [String] = []
            var carts: [(id: String, secret: String)] = []
            for index in 0..<24 {
                let cart = try await client.makeCart(store, variantID: product.variant, quantity: 1)
                if index < 12 {
                    let order = try await client.call(
                        .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret])
                    placed.append(try #require(order.json["id"] as? String, "\(order.text)"))
                } else {
                    carts.append(cart)
                }
            }
            // Checkouts take the variant, then the discount; cancellations give both back. Every
            // transaction locks variant rows before discount rows, so none waits in a cycle.
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for (cart, orderID) in zip(carts, placed) {
                    group.addTask {
                        try await client.call(
                            .post, "/api/carts/\(cart.id)/checkout", store: store, staff: false, json: checkoutBody, headers: [.cartSecret: cart.secret]
                        ).status
                    }
                    group.addTask { try await client.call(.post, "/api/orders/\(orderID)/cancel", store: store, json: [:]).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 12 && statuses.filter { $0 == .ok }.count == 12, "\(statuses)")
            #expect(try await client.call(.get, "/api/discounts/\(discountID)", store: store).json["timesUsed"] as? Int == 12)
            #expect(try await client.call(.get, "/api/products/\(product.id)", store: store).json["stock"] as? Int == 88)
        }
    }

    @Test("automatic discounts apply by themselves; staff input is checked; other stores see nothing")
    func automaticAndStaff() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Discount Auto")
            _ = try await client.call(.put, "/api/settings", store: store, json: ["shippingRate": 700])
            let product = try ProductRef(try await client.makeProduct(store, title: "Lamp", price: 4000, stock: 10))
            let auto = try await client.call(
                .post, "/api/discounts", store: store,
                json: ["automatic": true, "title": "Free shipping over 50", "kind": "free_shipping", "minSubtotal": 5000, "combinable": true])
            #expect(auto.status == .created, "\(auto.text)")
            let small = try await client.makeCart(store, variantID: product.variant, quantity: 1)
            let smallCart = try await client.call(.get, "/api/carts/\(small.id)", store: store, staff: false, headers: [.cartSecret: small.secret])
            #expect(amounts(smallCart.json)["discount"] == 0)
            let big = try await client.makeCart(store, variantID: product.variant, quantity: 2)
            let bigCart = try await client.call(.get, "/api/carts/\(big.id)", store: store, staff: false, headers: [.cartSecret: big.secret])
            #expect(amounts(bigCart.json) == ["subtotal": 8000, "discount": 700, "shipping": 700, "tax": 0, "total": 8000])

            let bad = try await client.call(
                .post, "/api/discounts", store: store,
                json: ["code": "bad code!", "kind": "percentage", "value": 150, "usageLimit": 0, "endsAt": "tomorrow"])
            #expect(bad.status == .unprocessableContent)
            let fields = Set((bad.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? [])
            #expect(fields == ["code", "value", "usageLimit", "endsAt"], "\(fields)")
            #expect(try await client.call(.post, "/api/discounts", store: store, json: ["kind": "fixed", "value": 100]).status == .unprocessableContent)
            let one = try await client.call(.post, "/api/discounts", store: store, json: ["code": "ONE", "kind": "fixed", "value": 100, "usageLimit": 3])
            #expect(try await client.call(.post, "/api/discounts", store: store, json: ["code": "one", "kind": "fixed", "value": 5]).status == .conflict)
            let id = try #require(one.json["id"] as? String)
            let patched = try await client.call(.patch, "/api/discounts/\(id)", store: store, json: ["usageLimit": NSNull(), "value": 250])
            #expect(patched.status == .ok)
            #expect(patched.json["usageLimit"] == nil || patched.json["usageLimit"] is NSNull)
            #expect(patched.json["value"] as? Int == 250)
            let other = try await client.makeStore("Discount Other")
            #expect(try await client.call(.get, "/api/discounts/\(id)", host: other.host, token: other.token).status == .notFound)
            #expect(try await client.call(.get, "/api/discounts", host: other.host, token: store.token).status == .unauthorized)
            let listed = try await client.call(.get, "/api/discounts?limit=1", store: store)
            #expect((listed.json["data"] as? [[String: Any]])?.count == 1)
            #expect(try await client.call(.delete, "/api/discounts/\(id)", store: store).status == .noContent)
        }
    }

    @Test("guessing codes is limited per client: the eleventh wrong code in a quarter hour gets 429")
    func guessing() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Discount Guessing")
            let product = try ProductRef(try await client.makeProduct(store, title: "Cup", price: 500, stock: 5))
            let cart = try await client.makeCart(store, variantID: product.variant, quantity: 1)
            var statuses: [Int] = []
            for attempt in 0..<11 {
                let guess = try await client.call(
                    .post, "/api/carts/\(cart.id)/discounts", store: store, staff: false, json: ["code": "GUESS\(attempt)"], headers: [.cartSecret: cart.secret]
                )
                statuses.append(guess.status.code)
            }
            #expect(statuses.prefix(10).allSatisfy { $0 == 422 } && statuses.last == 429, "\(statuses)")
        }
    }
}
