import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardCore
import Testing

@testable import LeopardServer

/// The storefront funnel: one browser counts once a day at each step it reaches, however often
/// it comes back; another browser is another visitor; robots and the admin count for nothing.
@Suite("Reports: the storefront funnel")
struct FunnelTests {
    struct Report: Decodable {
        struct Count: Decodable {
            let step: String
            let visitors: Int
            let conversion: Double?
        }
        let data: [Count]
        var visitors: [Int] { data.map(\.visitors) }
    }

    /// Shows a product, puts it in the cart, opens the checkout and places a bank-transfer order.
    static func shop(_ browser: BrowserClient, store: StoreFixture, slug: String, variant: String) async throws -> String {
        let page = try await browser.get("/products/\(slug)", host: store.host)
        _ = try await browser.post("/cart/add", host: store.host, form: ["product": slug, "variant": variant, "quantity": "1"], csrf: page.csrf)
        let checkout = try await browser.get("/checkout", host: store.host)
        let form = [
            "email": "buyer@example.test", "name": "Bea Buyer", "line1": "2 High St", "city": "Springfield", "postalCode": "12345", "country": "US",
            "paymentMethod": "bank_transfer",
        ]
        let placed = try await browser.post("/checkout", host: store.host, form: form, csrf: checkout.csrf)
        let location = try #require(placed.location, "\(placed.html.prefix(300))")
        return String(location.dropFirst("/orders/".count))
    }

    @Test("each step counts a browser once a day; a second browser is a second visitor; robots and staff pages count nothing", arguments: TestPlatform.storages)
    func funnel(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Funnel Shop")
            let product = try await client.makeProduct(store, title: "Vase", price: 3000, stock: 10)
            let slug = try #require(product["slug"] as? String)
            let variant = try #require((product["variants"] as? [[String: Any]])?.first?["id"] as? String)
            let shopper = BrowserClient(client)
            shopper.userAgent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
            _ = try await shopper.get("/", host: store.host)
            _ = try await shopper.get("/", host: store.host)
            let orderID = try await Self.shop(shopper, store: store, slug: slug, variant: variant)
            _ = try await shopper.get("/products/\(slug)", host: store.host)
            var report = try await client.call(.get, "/api/reports/funnel", store: store).decode(Report.self)
            #expect(report.data.map(\.step) == ["session", "product", "cart", "checkout", "order", "paid"])
            #expect(report.visitors == [1, 1, 1, 1, 1, 0], "not paid yet")
            #expect(try await client.call(.post, "/api/orders/\(orderID)/mark-paid", store: store).status == .ok)
            report = try await client.call(.get, "/api/reports/funnel", store: store).decode(Report.self)
            #expect(report.visitors == [1, 1, 1, 1, 1, 1])
            #expect(report.data.last?.conversion == 100)

            let browser = BrowserClient(client)
            browser.userAgent = "Mozilla/5.0 (Macintosh) Safari/605.1.15"
            _ = try await browser.get("/products/\(slug)", host: store.host)
            let robot = BrowserClient(client)
            robot.userAgent = "Googlebot/2.1 (+http://www.google.com/bot.html)"
            _ = try await robot.get("/", host: store.host)
            _ = try await BrowserClient(client).get("/", host: store.host)
            let owner = BrowserClient(client)
            owner.userAgent = "Mozilla/5.0 (Windows NT 10.0) Edge/130.0"
            try await owner.signInToAdmin(host: store.host, email: store.ownerEmail)
            _ = try await owner.get("/admin/reports", host: store.host)
            report = try await client.call(.get, "/api/reports/funnel", store: store).decode(Report.self)
            #expect(report.visitors == [2, 2, 1, 1, 1, 1], "\(report.visitors)")
            #expect(report.data[2].conversion == 50)

            let csv = try await client.call(.get, "/api/reports/funnel", store: store, headers: [.accept: "text/csv"])
            #expect(csv.text.hasPrefix("step,visitors,conversion\r\nsession,2,\r\nproduct,2,100.0\r\ncart,1,50.0\r\n"), "\(csv.text)")
            let other = try await client.makeStore("Other Funnel Shop")
            #expect(try await client.call(.get, "/api/reports/funnel", store: other).decode(Report.self).visitors == [0, 0, 0, 0, 0, 0])
            let past = try await client.call(.get, "/api/reports/funnel?from=2026-01-01&to=2026-01-31", store: store).decode(Report.self)
            #expect(past.visitors == [0, 0, 0, 0, 0, 0], "today's visits are not January's")
        }
    }

    @Test("which requests count for which step")
    func steps() {
        func names(_ method: HTTPRequest.Method, _ path: String, _ status: HTTPResponse.Status, _ location: String? = nil) -> [String] {
            FunnelMiddleware.steps(method: method, path: path, status: status, location: location).map { $0.0.rawValue + ($0.1.map { ":" + $0 } ?? "") }
        }
        #expect(names(.get, "/", .ok) == ["session"])
        #expect(names(.get, "/products/vase", .ok) == ["session", "product"])
        #expect(names(.get, "/products", .ok) == ["session"])
        #expect(names(.get, "/products/missing", .notFound).isEmpty)
        #expect(names(.get, "/checkout", .ok) == ["session", "checkout"])
        #expect(names(.post, "/cart/add", .seeOther) == ["cart"])
        #expect(names(.post, "/cart/add", .unprocessableContent).isEmpty)
        #expect(names(.post, "/checkout", .seeOther, "/orders/ord_1") == ["order:ord_1"])
        #expect(names(.post, "/checkout", .seeOther, "/checkout/pay?order=ord_2") == ["order:ord_2"])
        #expect(names(.post, "/checkout", .seeOther, "/cart").isEmpty)
        for path in ["/admin", "/admin/reports", "/api/products", "/assets/leopard.css", "/robots.txt", "/sitemap.xml"] {
            #expect(names(.get, path, .ok).isEmpty, "\(path)")
        }
        #expect(FunnelTracker.household("2001:db8:1:2:aa:bb:cc:dd") == FunnelTracker.household("2001:db8:1:2:ff:ee:dd:cc"), "one /64")
        #expect(FunnelTracker.household("203.0.113.7") == "203.0.113.7")
        #expect(FunnelTracker.isVisitor(userAgent: "Mozilla/5.0 HeadlessChrome/131.0"), "a headless browser is still a browser")
        #expect(!FunnelTracker.isVisitor(userAgent: "") && !FunnelTracker.isVisitor(userAgent: "curl/8.5.0"))
    }

    @Test("two instances (or a restart) count a browser once; rotating the browser name counts at most eight per address", arguments: TestPlatform.storages)
    func instances(storage: TestPlatform.Storage) async throws {
        struct Counts: Decodable { let data: [Report.Count] }
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Twin Funnel Shop")
            let tenant = try #require(try await platform.services.registry.find(id: store.id))
            try await platform.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                for tracker in [FunnelTracker(), FunnelTracker()] {
                    try await tracker.note(.session, tenantID: tenant.id, database: database, address: "198.51.100.4", userAgent: "Mozilla/5.0 Firefox/140.0")
                    try await tracker.flush(tenantID: tenant.id, database: database, force: true)
                }
                let rotating = FunnelTracker()
                for index in 0..<20 {
                    try await rotating.note(
                        .session, tenantID: tenant.id, database: database, address: "198.51.100.9", userAgent: "Mozilla/5.0 Firefox/\(index)")
                }
                try await rotating.flush(tenantID: tenant.id, database: database, force: true)
            }
            let report = try await client.call(.get, "/api/reports/funnel", store: store).decode(Report.self)
            #expect(report.visitors.first == 1 + FunnelTracker.visitorsPerAddress, "\(report.visitors)")
        }
    }
}
