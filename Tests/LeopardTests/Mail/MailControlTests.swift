import Foundation
import HummingbirdTesting
import LeopardCommerce
import SQLKit
import Synchronization
import Testing

@testable import LeopardOperations

/// What keeps mail in check: the owner's switches, the limit on following bad links, and a
/// batch that stops before its lease could end in the middle of a send.
@Suite("Mail switches, link throttling and leases")
struct MailControlTests {
    struct MailRow: Decodable {
        let kind: String
        let status: String
        let attempts: Int
    }

    struct MailPage: Decodable { let data: [MailRow] }

    @Test("an order that cannot be read fails only its own mails; the rest of the batch goes out")
    func unreadableOrder() async throws {
        try await TestPlatform.withPlatform(.sqlite) { platform, client in
            let store = try await client.makeStore("Broken Order Mail Shop")
            let product = try ProductRef(try await client.makeProduct(store, title: "Cup", price: 1000, stock: 6))
            let tenant = try #require(try await platform.services.registry.find(id: store.id))
            // The order and its damage commit together, so no pass can mail it in between.
            try await platform.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                let cart = try await Carts(database: database).create(
                    .init(email: "ada@example.test", items: [.init(variantId: product.variant, quantity: 1)]), customerID: nil)
                let input = Checkout.Input(email: "ada@example.test", shippingAddress: SalesReportTests.address, paymentMethod: "bank_transfer")
                try await database.write { sql in
                    let placed = try await Checkout(database: database).complete(cartID: cart.id, access: .staff, input: input, customerID: nil, on: sql)
                    try await sql.raw("UPDATE orders SET shipping_address_json = '{' WHERE id = \(bind: placed.order.id)").run()
                }
            }
            await platform.services.webhookDispatcher.deliverMail(tenantID: store.id)
            let mails = try await client.call(.get, "/api/mail?limit=100", store: store).decode(MailPage.self).data
            let orderMails = mails.filter { ["order_confirmation", "new_order"].contains($0.kind) }
            #expect(orderMails.count == 2, "\(mails)")
            #expect(orderMails.allSatisfy { $0.status != "sent" && $0.attempts == 1 }, "\(mails)")
            let others = mails.filter { !["order_confirmation", "new_order"].contains($0.kind) }
            #expect(!others.isEmpty && others.allSatisfy { $0.status == "sent" }, "\(mails)")
        }
    }

    @Test("with both switches off, an order and low stock send the owner nothing; the shopper still gets the confirmation")
    func switchesOff() async throws {
        try await TestPlatform.withPlatform(.sqlite) { platform, client in
            let store = try await client.makeStore("Quiet Mail Shop")
            let settings = try await client.call(
                .put, "/api/settings", store: store, json: ["mail": ["newOrderNotifications": false, "lowStockNotifications": false]])
            #expect(settings.status == .ok, "\(settings.text)")
            let product = try ProductRef(try await client.makeProduct(store, title: "Quiet Cup", price: 1000, stock: 6))
            _ = try await client.checkout(store, variantID: product.variant, email: "quiet@example.test")
            _ = try await client.checkout(store, variantID: product.variant, email: "quiet@example.test")
            let owner = "owner@\(TestEmail.domain("Quiet Mail Shop")).test"
            let ownerMail = try await platform.mail(to: owner, store: store).map(\.subject)
            #expect(!ownerMail.contains { $0.hasPrefix("New order") || $0.hasPrefix("Low stock") }, "\(ownerMail)")
            let shopper = try await platform.mail(to: "quiet@example.test", store: store).map(\.subject)
            #expect(shopper.filter { $0.hasSuffix("confirmed") }.count == 2, "\(shopper)")
            let queued = try await client.call(.get, "/api/mail?limit=100", store: store).decode(MailPage.self)
            #expect(!queued.data.contains { $0.kind == "new_order" || $0.kind == "low_stock" }, "nothing was even queued")
        }
    }

    @Test("following bad reset links is limited per client: 401s, then 429")
    func badLinksThrottled() async throws {
        try await TestPlatform.withPlatform(configure: { $0.loginFailureLimit = 3 }) { _, client in
            let store = try await client.makeStore("Throttle Link Shop")
            var statuses: [Int] = []
            for attempt in 0..<5 {
                let response = try await client.call(
                    .post, "/api/customers/password-reset/confirm", host: store.host, json: ["token": "guess-\(attempt)", "password": "a new password"])
                statuses.append(Int(response.status.code))
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == 401 }, "\(statuses)")
            #expect(statuses.last == 429, "\(statuses)")
        }
    }

    @Test("a batch hands back the mail it could not finish within its lease, untried, and sends it on the next pass")
    func leaseHandBack() async throws {
        try await TestPlatform.withPlatform(.sqlite) { platform, client in
            let store = try await client.makeStore("Lease Mail Shop")
            // The signup queued two mails (welcome, address confirmation). The clock stands still
            // for the claim, the first send and its record, then jumps past the point where a
            // send could outlast the lease.
            let start = Date()
            let calls = Mutex(0)
            await platform.services.webhookDispatcher.deliverMail(tenantID: store.id) {
                let call = calls.withLock { count in
                    count += 1
                    return count
                }
                return call <= 3 ? start : start.addingTimeInterval(50)
            }
            let first = try await client.call(.get, "/api/mail?limit=100", store: store).decode(MailPage.self).data
            #expect(first.map(\.status).sorted() == ["pending", "sent"], "\(first)")
            #expect(first.first { $0.status == "pending" }?.attempts == 0, "handed back untried")
            await platform.services.webhookDispatcher.deliverMail(tenantID: store.id)
            let second = try await client.call(.get, "/api/mail?limit=100", store: store).decode(MailPage.self).data
            #expect(second.map(\.status) == ["sent", "sent"], "\(second)")
            #expect(second.map(\.attempts) == [1, 1], "each sent once")
        }
    }
}
