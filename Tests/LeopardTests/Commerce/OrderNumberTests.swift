import Foundation
import LeopardCore
import LeopardStorage
import SQLKit
import Testing

@testable import LeopardCommerce

/// The order number is claimed last in a checkout's transaction (one statement with the
/// order's renumbering and its event on PostgreSQL).
@Suite("Order numbers")
struct OrderNumberTests {
    @Test("a currency changed since the terms were read refuses the claim, and the refused claim uses up no number", arguments: TestPlatform.storages)
    func currencyChanged(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Number Race Shop")
            let product = try ProductRef(try await client.makeProduct(store, title: "Lamp", price: 1000, stock: 10))
            let firstID = try await client.checkout(store, variantID: product.variant, email: "ada@example.test")
            let first = try #require(try await client.call(.get, "/api/orders/\(firstID)", store: store).json["number"] as? Int)
            let tenant = try #require(try await platform.services.registry.find(id: store.id))
            try await platform.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                // The store sells in USD; a checkout that priced in EUR must not get a number.
                let refusal = await #expect(throws: Problem.self) {
                    try await database.write { sql in
                        try await Checkout.number(orderID: firstID, currency: "EUR", email: "ada@example.test", kind: database.kind, now: Date(), on: sql)
                    }
                }
                #expect(refusal?.status == 409)
            }
            // The first order kept its number, and the next order gets the number after it.
            #expect(try await client.call(.get, "/api/orders/\(firstID)", store: store).json["number"] as? Int == first)
            let secondID = try await client.checkout(store, variantID: product.variant, email: "ada@example.test")
            #expect(try await client.call(.get, "/api/orders/\(secondID)", store: store).json["number"] as? Int == first + 1)
        }
    }
}
