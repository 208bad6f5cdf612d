import Foundation
import HummingbirdTesting
import Testing

/// Shipping zones, tax by destination and class, prices that include tax: through the API, a
/// cart to Germany from a store whose prices include VAT, the same cart to California, and an
/// address no zone takes.
@Suite("Checkout economics: zones, methods and tax")
struct CheckoutEconomicsTests {
    static var germany: [String: Any] { ["name": "Erika Muster", "line1": "Hauptstr. 1", "city": "Berlin", "postalCode": "10115", "country": "DE"] }
    static var california: [String: Any] {
        ["name": "Ada Shopper", "line1": "1 Main St", "city": "Los Angeles", "region": "CA", "postalCode": "90001", "country": "US"]
    }
    static var japan: [String: Any] { ["name": "Taro", "line1": "1-1 Chiyoda", "city": "Tokyo", "postalCode": "100-0001", "country": "JP"] }

    struct Shop {
        let store: StoreFixture
        let mug: ProductRef
        let book: ProductRef
    }

    /// A store in euros whose prices include tax: DE 19 % (also on shipping) and 7 % for books,
    /// US-CA 7.25 %; an EU zone by weight and a flat express, a US zone by order value.
    func shop(_ client: some TestClientProtocol, _ name: String) async throws -> Shop {
        let store = try await client.makeStore(name)
        #expect(try await client.call(.put, "/api/settings", store: store, json: ["currency": "EUR", "pricesIncludeTax": true]).status == .ok)
        for rate: [String: Any] in [
            ["country": "DE", "rate": 19, "appliesToShipping": true, "name": "DE 19 %"], ["country": "DE", "rate": 7, "taxClass": "reduced", "name": "DE 7 %"],
            ["country": "US", "region": "CA", "rate": 7.25, "name": "US-CA"],
        ] {
            let created = try await client.call(.post, "/api/tax-rates", store: store, json: rate)
            #expect(created.status == .created, "\(created.text)")
        }
        let eu = try await client.call(
            .post, "/api/shipping-zones", store: store,
            json: [
                "name": "EU", "countries": ["DE", "FR"],
                "methods": [
                    ["name": "DHL", "kind": "weight", "bands": [["upTo": 1000, "rate": 490], ["upTo": 5000, "rate": 990]]],
                    ["name": "Express", "kind": "flat", "rate": 1990],
                ],
            ])
        #expect(eu.status == .created, "\(eu.text)")
        let us = try await client.call(
            .post, "/api/shipping-zones", store: store,
            json: [
                "name": "US", "countries": ["US"], "methods": [["name": "USPS", "kind": "price", "bands": [["upTo": 5000, "rate": 800]], "freeOver": 5001]],
            ])
        #expect(us.status == .created, "\(us.text)")
        let mug = try ProductRef(try await client.makeProduct(store, title: "Mug", price: 1190, stock: 10, extra: ["weight": 400]))
        let book = try ProductRef(try await client.makeProduct(store, title: "Book", price: 1070, stock: 10, extra: ["weight": 700, "taxClass": "reduced"]))
        return Shop(store: store, mug: mug, book: book)
    }

    func cart(_ client: some TestClientProtocol, _ shop: Shop) async throws -> (id: String, secret: String) {
        let created = try await client.call(
            .post, "/api/carts", store: shop.store, staff: false,
            json: ["items": [["variantId": shop.mug.variant, "quantity": 2], ["variantId": shop.book.variant, "quantity": 1]]])
        return (try #require(created.json["id"] as? String), try #require(created.json["secret"] as? String))
    }

    func amounts(_ json: [String: Any]) -> [String: Int] {
        let totals = json["totals"] as? [String: Any] ?? [:]
        return totals.compactMapValues { ($0 as? [String: Any])?["amount"] as? Int }
    }

    @Test("Germany: VAT inside the prices by class and on shipping, the cheapest method first, then the one chosen", arguments: TestPlatform.storages)
    func germany(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let shop = try await shop(client, "Economics DE")
            let (cartID, secret) = try await cart(client, shop)
            let host = shop.store.host
            let noAddress = try await client.call(.get, "/api/carts/\(cartID)/shipping-methods", host: host, headers: [.cartSecret: secret])
            #expect(noAddress.status == .conflict)
            let addressed = try await client.call(
                .put, "/api/carts/\(cartID)/address", host: host, json: ["shippingAddress": Self.germany], headers: [.cartSecret: secret])
            #expect(addressed.status == .ok, "\(addressed.text)")
            // 2 × 11.90 + 10.70 = 34.50; 1.5 kg by DHL 9.90; VAT inside: 3.80 + 0.70 + 1.58.
            #expect(amounts(addressed.json) == ["subtotal": 3450, "discount": 0, "shipping": 990, "tax": 608, "total": 4440])
            #expect((addressed.json["shippingMethod"] as? [String: Any])?["name"] as? String == "DHL")
            let lines = try #require(addressed.json["taxLines"] as? [[String: Any]])
            #expect(lines.map { $0["name"] as? String } == ["DE 19 %", "DE 7 %"])
            #expect(lines.map { ($0["amount"] as? [String: Any])?["amount"] as? Int } == [538, 70])
            #expect(addressed.json["pricesIncludeTax"] as? Bool == true)

            let methods = try await client.call(.get, "/api/carts/\(cartID)/shipping-methods", host: host, headers: [.cartSecret: secret])
            let options = try #require(methods.json["data"] as? [[String: Any]])
            #expect(options.map { $0["name"] as? String } == ["DHL", "Express"])
            #expect(options.map { ($0["price"] as? [String: Any])?["amount"] as? Int } == [990, 1990])
            let express = try #require(options.last?["id"] as? String)
            let chosen = try await client.call(.put, "/api/carts/\(cartID)/shipping-method", host: host, json: ["id": express], headers: [.cartSecret: secret])
            #expect(amounts(chosen.json) == ["subtotal": 3450, "discount": 0, "shipping": 1990, "tax": 768, "total": 5440])
            let wrong = try await client.call(
                .put, "/api/carts/\(cartID)/shipping-method", host: host, json: ["id": "ship_nope"], headers: [.cartSecret: secret])
            #expect(wrong.status == .unprocessableContent)

            var body = checkoutBody
            body["shippingAddress"] = Self.germany
            let order = try await client.call(.post, "/api/carts/\(cartID)/checkout", host: host, json: body, headers: [.cartSecret: secret])
            #expect(order.status == .created, "\(order.text)")
            #expect(amounts(order.json) == ["subtotal": 3450, "discount": 0, "shipping": 1990, "tax": 768, "total": 5440])
            #expect(order.json["shippingMethod"] as? String == "Express")
            #expect((order.json["total"] as? [String: Any])?["amount"] as? Int == 5440)
            // A later change of rates leaves the order as it was.
            let orderID = try #require(order.json["id"] as? String)
            let rates = try #require(try await client.call(.get, "/api/tax-rates", store: shop.store).json["data"] as? [[String: Any]])
            for rate in rates { _ = try await client.call(.delete, "/api/tax-rates/\(rate["id"] as? String ?? "")", store: shop.store) }
            let again = try await client.call(.get, "/api/orders/\(orderID)", store: shop.store)
            #expect(amounts(again.json)["tax"] == 768)
            #expect((again.json["taxLines"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test(
        "California: the same cart pays sales tax on top, by order value; Japan is refused and nothing changes; a region's zone wins",
        arguments: TestPlatform.storages)
    func elsewhere(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let shop = try await shop(client, "Economics US")
            let (cartID, secret) = try await cart(client, shop)
            let host = shop.store.host
            let us = try await client.call(
                .put, "/api/carts/\(cartID)/address", host: host, json: ["shippingAddress": Self.california], headers: [.cartSecret: secret])
            // 34.50 ≤ 50.00: USPS 8.00; 7.25 % of the mugs (23.80) is 1.73; books have no rate there.
            #expect(amounts(us.json) == ["subtotal": 3450, "discount": 0, "shipping": 800, "tax": 173, "total": 4423])
            #expect(us.json["pricesIncludeTax"] as? Bool == false)
            var usBody = checkoutBody
            usBody["shippingAddress"] = Self.california
            let usCart = try await cart(client, shop)
            let usOrder = try await client.call(.post, "/api/carts/\(usCart.id)/checkout", host: host, json: usBody, headers: [.cartSecret: usCart.secret])
            #expect(amounts(usOrder.json)["total"] == 4423)
            #expect(usOrder.json["pricesIncludeTax"] as? Bool == false, "the order says what its total did: tax added")

            let jp = try await client.call(
                .put, "/api/carts/\(cartID)/address", host: host, json: ["shippingAddress": Self.japan], headers: [.cartSecret: secret])
            #expect(jp.status == .ok)
            #expect(jp.json["shipsToAddress"] as? Bool == false)
            let methods = try await client.call(.get, "/api/carts/\(cartID)/shipping-methods", host: host, headers: [.cartSecret: secret])
            #expect(methods.status == .unprocessableContent)
            var body = checkoutBody
            body["shippingAddress"] = Self.japan
            let refused = try await client.call(.post, "/api/carts/\(cartID)/checkout", host: host, json: body, headers: [.cartSecret: secret])
            #expect(refused.status == .unprocessableContent)
            #expect((refused.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "shippingAddress.country")
            let product = try await client.call(.get, "/api/products/\(shop.mug.id)", store: shop.store)
            #expect(product.json["stock"] as? Int == 8, "only the Californian order took stock")
            #expect(try await client.call(.get, "/api/carts/\(cartID)", host: host, headers: [.cartSecret: secret]).json["status"] as? String == "active")
            // Another shopper's cart is not found without its secret.
            #expect(try await client.call(.get, "/api/carts/\(cartID)/shipping-methods", host: host).status == .notFound)
            #expect(
                try await client.call(.put, "/api/carts/\(cartID)/address", host: host, json: ["shippingAddress": Self.germany]).status == .notFound)

            // A zone for the region takes its addresses from the country's zone.
            let region = try await client.call(
                .post, "/api/shipping-zones", store: shop.store,
                json: ["name": "California", "countries": [], "regions": ["US-CA"], "methods": [["name": "Courier", "kind": "flat", "rate": 500]]])
            #expect(region.status == .created, "\(region.text)")
            let local = try await client.call(
                .put, "/api/carts/\(cartID)/address", host: host, json: ["shippingAddress": Self.california], headers: [.cartSecret: secret])
            #expect((local.json["shippingMethod"] as? [String: Any])?["name"] as? String == "Courier", "\(local.text)")
            #expect(amounts(local.json)["shipping"] == 500)
        }
    }

    @Test("zones and rates check their input: one zone per place, codes, bands, rates, classes")
    func validation() async throws {
        try await TestPlatform.withPlatform { _, client in
            let shop = try await shop(client, "Economics Rules")
            let store = shop.store
            let overlap = try await client.call(
                .post, "/api/shipping-zones", store: store,
                json: ["name": "Again", "countries": ["FR"], "methods": [["name": "Post", "kind": "flat", "rate": 100]]])
            #expect(overlap.status == .conflict)
            let bad = try await client.call(
                .post, "/api/shipping-zones", store: store,
                json: [
                    "name": "", "countries": ["XX"], "regions": ["US-CALIFORNIA"],
                    "methods": [
                        ["name": "W", "kind": "weight", "bands": [["upTo": 500, "rate": 100], ["upTo": 400, "rate": 200]]], ["name": "F", "kind": "drone"],
                    ],
                ])
            #expect(bad.status == .unprocessableContent)
            let fields = Set((bad.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? [])
            #expect(fields.isSuperset(of: ["name", "countries.0", "regions.0", "methods.0.bands.1.upTo", "methods.1.kind"]), "\(fields)")
            let same = try await client.call(.post, "/api/tax-rates", store: store, json: ["country": "DE", "rate": 20])
            #expect(same.status == .conflict)
            let wrong = try await client.call(
                .post, "/api/tax-rates", store: store, json: ["country": "DE", "region": "BE", "rate": 100.00001, "taxClass": "luxury"])
            #expect(wrong.status == .unprocessableContent || wrong.status == .badRequest)
            let product = try await client.call(.post, "/api/products", store: store, json: ["title": "Heavy", "price": 100, "weight": -1, "taxClass": "zero"])
            #expect(product.status == .unprocessableContent)
            let productFields = Set((product.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? [])
            #expect(productFields == ["weight", "taxClass"], "\(productFields)")
            let zones = try await client.call(.get, "/api/shipping-zones?limit=1", store: store)
            #expect((zones.json["data"] as? [[String: Any]])?.count == 1 && zones.json["next_cursor"] is String)
            let zoneID = try #require((zones.json["data"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await client.call(.delete, "/api/shipping-zones/\(zoneID)", store: store).status == .noContent)
            #expect(try await client.call(.get, "/api/shipping-zones/\(zoneID)", store: store).status == .notFound)
            let other = try await client.makeStore("Economics Other")
            #expect(try await client.call(.get, "/api/tax-rates", host: other.host, token: store.token).status == .unauthorized)
        }
    }

    @Test("a cart heavier than every band is refused; free-from looks at what discounts leave")
    func bandsAndFreeFrom() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Economics Bands")
            _ = try await client.call(
                .post, "/api/shipping-zones", store: store,
                json: ["name": "US", "countries": ["US"], "methods": [["name": "Light", "kind": "weight", "bands": [["upTo": 1000, "rate": 500]]]]])
            let heavy = try ProductRef(try await client.makeProduct(store, title: "Anvil", price: 100, stock: 10, extra: ["weight": 2000]))
            let anvil = try await client.makeCart(store, variantID: heavy.variant, quantity: 1)
            _ = try await client.call(.post, "/api/discounts", store: store, json: ["code": "TEN", "kind": "percentage", "value": 10])
            let placedHeavy = try await client.call(
                .put, "/api/carts/\(anvil.id)/address", store: store, staff: false, json: ["shippingAddress": Self.california],
                headers: [.cartSecret: anvil.secret])
            #expect(placedHeavy.json["shipsToAddress"] as? Bool == false)
            var body = checkoutBody
            body["shippingAddress"] = Self.california
            let refused = try await client.call(
                .post, "/api/carts/\(anvil.id)/checkout", store: store, staff: false, json: body, headers: [.cartSecret: anvil.secret])
            #expect(refused.status == .unprocessableContent)
            #expect((refused.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "shippingMethod")

            let zones = try #require(try await client.call(.get, "/api/shipping-zones", store: store).json["data"] as? [[String: Any]])
            _ = try await client.call(
                .put, "/api/shipping-zones/\(zones.first?["id"] as? String ?? "")", store: store,
                json: ["name": "US", "countries": ["US"], "methods": [["name": "Flat", "kind": "flat", "rate": 800, "freeOver": 5000]]])
            let light = try ProductRef(try await client.makeProduct(store, title: "Print", price: 5000, stock: 10))
            let print = try await client.makeCart(store, variantID: light.variant, quantity: 1)
            _ = try await client.call(
                .put, "/api/carts/\(print.id)/address", store: store, staff: false, json: ["shippingAddress": Self.california],
                headers: [.cartSecret: print.secret])
            let free = try await client.call(.get, "/api/carts/\(print.id)/shipping-methods", store: store, staff: false, headers: [.cartSecret: print.secret])
            #expect(((free.json["data"] as? [[String: Any]])?.first?["price"] as? [String: Any])?["amount"] as? Int == 0, "50.00 is free from 50.00")
            _ = try await client.call(
                .post, "/api/carts/\(print.id)/discounts", store: store, staff: false, json: ["code": "TEN"], headers: [.cartSecret: print.secret])
            let paid = try await client.call(.get, "/api/carts/\(print.id)/shipping-methods", store: store, staff: false, headers: [.cartSecret: print.secret])
            #expect(((paid.json["data"] as? [[String: Any]])?.first?["price"] as? [String: Any])?["amount"] as? Int == 800, "45.00 after the code is not")
            let shown = try await client.call(.get, "/api/carts/\(print.id)", store: store, staff: false, headers: [.cartSecret: print.secret])
            #expect(amounts(shown.json)["shipping"] == 800)
        }
    }
}
