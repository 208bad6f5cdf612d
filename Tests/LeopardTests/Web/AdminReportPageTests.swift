import Foundation
import HummingbirdTesting
import Testing

@testable import LeopardServer

/// The admin's reports page: the chart, figures and best sellers from the same services as the
/// API, its CSV links, a bad custom range, and the `reports` permission.
@Suite("Admin reports page")
struct AdminReportPageTests {
    @Test("the owner sees today's sale in the chart, figures and best sellers; CSV links work; a bad custom range says why")
    func reportsPage() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Chart Shop")
            _ = try await ShopOperationsTests.paidOrder(client, store)
            let owner = BrowserClient(client)
            try await owner.signInToAdmin(host: store.host, email: store.ownerEmail)
            #expect(try await owner.get("/admin", host: store.host).html.contains("href=\"/admin/reports\""))
            let page = try await owner.get("/admin/reports?range=7", host: store.host)
            #expect(page.status == .ok)
            #expect(page.html.contains("<svg class=\"chart\"") && page.html.contains("<rect "), "a bar per day")
            #expect(page.html.contains("Bowl") && page.html.contains("Plate") && page.html.contains("Mug"), "best sellers")
            // 2 × 12.00 + 25.00 + 3 × 9.00 = 76.00 of net sales, shown as a figure and a bar's title.
            #expect(page.html.contains("$76.00"))
            #expect(page.html.contains("<option value=\"7\" selected>"))

            let bad = try await owner.get("/admin/reports?range=custom&from=2026-02-30&to=2026-03-01", host: store.host)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.html.contains("From must be a date like 2026-12-31"), "\(bad.html.prefix(200))")

            let sales = try await owner.get("/admin/reports/sales.csv?from=2026-01-01&to=2026-01-03&interval=day", host: store.host)
            #expect(sales.html.hasPrefix("period,orders,gross") && sales.html.contains("2026-01-03,0,0"))
            let sellers = try await owner.get("/admin/reports/products.csv", host: store.host)
            #expect(sellers.html.hasPrefix("product_id,title,units,revenue\r\n") && sellers.html.contains(",Bowl,3,2700\r\n"))
        }
    }

    @Test("a member without the reports permission gets a page saying so, and no menu link")
    func permission() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Chart Role Shop")
            let role = try await client.call(.post, "/api/roles", store: store, json: ["name": "Orders only", "permissions": ["orders"]])
            _ = try await client.call(
                .post, "/api/staff", store: store,
                json: ["email": "clerk@chartrole.test", "password": "clerk password", "roleId": try #require(role.json["id"] as? String)])
            let clerk = BrowserClient(client)
            try await clerk.signInToAdmin(host: store.host, email: "clerk@chartrole.test", password: "clerk password")
            #expect(!(try await clerk.get("/admin", host: store.host).html.contains("href=\"/admin/reports\"")))
            for path in ["/admin/reports", "/admin/reports/sales.csv", "/admin/reports/products.csv"] {
                #expect(try await clerk.get(path, host: store.host).status == .forbidden, "\(path)")
            }
        }
    }
}
