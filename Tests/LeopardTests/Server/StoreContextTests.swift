import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardServer
import Testing

@Suite("Typed store contexts")
struct StoreContextTests {
    @Test("every kind of store route keeps the 1 MiB JSON cap: anyone, staff, owner; nothing is written")
    func bodyCap() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Cap Shop")
            let huge = #"{"title":""# + String(repeating: "a", count: (1 << 20) + 10) + #""}"#
            let anyone = try await client.call(.post, "/api/carts", host: store.host, raw: huge)
            #expect(anyone.status == .contentTooLarge)
            let staff = try await client.call(.post, "/api/products", host: store.host, token: store.token, raw: huge)
            #expect(staff.status == .contentTooLarge)
            let owner = try await client.call(.post, "/api/api-keys", host: store.host, token: store.token, raw: huge)
            #expect(owner.status == .contentTooLarge)
            let products = try await client.call(.get, "/api/products", host: store.host, token: store.token)
            #expect(products.status == .ok)
            #expect((products.json["data"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("a staff route without a token is a 401 before its body is read; another store's token is a 401 too")
    func refusedBeforeTheBody() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Context Shop")
            let other = try await client.makeStore("Other Shop")
            let noToken = try await client.call(.post, "/api/products", host: store.host, raw: "not json")
            #expect(noToken.status == .unauthorized)
            let foreign = try await client.call(.post, "/api/products", host: store.host, token: other.token, raw: #"{"title":"x","price":1}"#)
            #expect(foreign.status == .unauthorized)
            let customerRoute = try await client.call(.get, "/api/customers/me", host: store.host, token: store.token)
            #expect(customerRoute.status == .unauthorized)
        }
    }
}
