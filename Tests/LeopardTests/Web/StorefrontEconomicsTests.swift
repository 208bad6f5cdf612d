import Foundation
import HummingbirdTesting
import Testing

/// The storefront's side of discounts, shipping methods and tax: the code form on the cart,
/// the method choice at checkout, and the taxes shown in the summary.
@Suite("Storefront discounts, shipping methods and tax")
struct StorefrontEconomicsTests {
    @Test("a code on the cart page, a method chosen at checkout, VAT shown inside the prices")
    func cartAndCheckout() async throws {
        try await TestPlatform.withPlatform { _, client in
            let economics = CheckoutEconomicsTests()
            let shop = try await economics.shop(client, "Storefront Economics")
            let host = shop.store.host
            _ = try await client.call(.post, "/api/discounts", store: shop.store, json: ["code": "TENOFF", "kind": "percentage", "value": 10])
            let browser = BrowserClient(client)
            let mug = try await client.call(.get, "/api/products/\(shop.mug.id)", store: shop.store)
            _ = try await browser.addToCart(try ProductRef(mug.json), quantity: 2, host: host)
            let cart = try await browser.get("/cart", host: host)
            #expect(cart.html.contains("Discount code"))
            let unknown = try await browser.post("/cart/discount", host: host, form: ["code": "nope"], csrf: cart.csrf)
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.html.contains("NOPE is not a discount code of this store"))
            let applied = try await browser.post("/cart/discount", host: host, form: ["code": "tenoff"], csrf: cart.csrf)
            #expect(applied.status == .seeOther)
            let withCode = try await browser.get("/cart", host: host)
            #expect(withCode.html.contains("Discount (TENOFF)") && withCode.html.contains("−€2.38"), "10 % of 2 × €11.90")

            let checkout = try await browser.get("/checkout", host: host)
            let form = [
                "email": "erika@example.test", "name": "Erika Muster", "line1": "Hauptstr. 1", "city": "Berlin", "postalCode": "10115", "country": "DE",
                "paymentMethod": "bank_transfer",
            ]
            let choose = try await browser.post("/checkout", host: host, form: form, csrf: checkout.csrf)
            #expect(choose.status == .ok, "two methods ship to Germany: the shopper chooses first")
            #expect(choose.html.contains("Choose how to ship to this address."))
            #expect(choose.html.contains("DHL: €4.90") && choose.html.contains("Express: €19.90"), "0.8 kg by DHL")
            #expect(choose.html.contains("Including DE 19 %"))
            let express = try #require(
                choose.html.range(of: #"name="shippingMethod" value=""#).map { range -> String in
                    let rest = choose.html[range.upperBound...]
                    return String(rest.prefix { $0 != "\"" })
                })
            var chosen = form
            chosen["shippingMethod"] = express
            let placed = try await browser.post("/checkout", host: host, form: chosen, csrf: choose.csrf)
            #expect(placed.status == .seeOther, "\(placed.html.prefix(300))")
            let orderPath = try #require(placed.location)
            let confirmation = try await browser.get(orderPath, host: host)
            #expect(confirmation.html.contains("Shipping (DHL)"))
            #expect(confirmation.html.contains("Discount (TENOFF)"))
            #expect(confirmation.html.contains("Including DE 19 %"))
        }
    }

    @Test("an address no zone takes is refused at checkout with the reason at the country")
    func outsideZones() async throws {
        try await TestPlatform.withPlatform { _, client in
            let economics = CheckoutEconomicsTests()
            let shop = try await economics.shop(client, "Storefront Zones")
            let host = shop.store.host
            let browser = BrowserClient(client)
            let mug = try await client.call(.get, "/api/products/\(shop.mug.id)", store: shop.store)
            _ = try await browser.addToCart(try ProductRef(mug.json), host: host)
            let checkout = try await browser.get("/checkout", host: host)
            let form = [
                "email": "taro@example.test", "name": "Taro", "line1": "1-1 Chiyoda", "city": "Tokyo", "postalCode": "100-0001", "country": "JP",
                "paymentMethod": "bank_transfer",
            ]
            let refused = try await browser.post("/checkout", host: host, form: form, csrf: checkout.csrf)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("Country is not a place this store ships to"))
        }
    }
}
