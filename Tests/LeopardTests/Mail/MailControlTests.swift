import Foundation
import HummingbirdTesting
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
