import Foundation
import HTTPTypes
import HummingbirdTesting
import LeopardCore
import LeopardPlatform
import LeopardStorage
import SQLKit
import Testing

@testable import LeopardOperations
@testable import LeopardServer

/// Issue 22's operator half: `GET /api/platform/reports` across stores, every figure checked
/// against the stores' own orders and the platform's rows.
@Suite("Reports: the operator's view across stores")
struct PlatformReportTests {
    struct Sales: Decodable, Equatable {
        var currency: String
        var orders = 0
        var gmv = 0
        var refunds = 0
    }

    struct Provisioning: Decodable, Equatable {
        var attempts = 0
        var failures = 0
        var medianMilliseconds: Double?
        var p95Milliseconds: Double?
    }

    struct Period: Decodable {
        let period: String
        let signups: Int
        let provisioning: Provisioning
        let sales: [Sales]
    }

    struct Stores: Decodable, Equatable {
        let total: Int
        let active: Int
        let suspended: Int
        let deleted: Int
        let provisioning: Int
        let activeLast30Days: Int
    }

    struct Store: Decodable {
        let tenantId: String
        let slug: String
        let databaseBytes: Int
        let currency: String
        let orders: Int
        let gmv: Int
    }

    struct Report: Decodable {
        let from: String
        let to: String
        let timeZone: String
        let stores: Stores
        let data: [Period]
        let totals: Period
        let largest: [Store]
    }

    struct OrderFacts: Decodable {
        struct Amount: Decodable { let amount: Int }
        let status: String
        let createdAt: String
        let total: Amount
    }

    static func report(_ client: any TestClientProtocol, _ query: String) async throws -> Report {
        let response = try await client.execute(uri: "/api/platform/reports?" + query, method: .get, headers: .operatorAuth)
        try #require(response.status == .ok, "\(response.text)")
        return try response.decode(Report.self)
    }

    /// Orders and GMV by UTC day, straight from each store's orders (cancelled ones left out).
    static func expected(_ orders: [(String, OrderFacts)], day: String) -> [Sales] {
        var byCurrency: [String: Sales] = [:]
        for (currency, order) in orders where order.status != "cancelled" && order.createdAt.hasPrefix(day) {
            byCurrency[currency, default: Sales(currency: currency)].orders += 1
            byCurrency[currency, default: Sales(currency: currency)].gmv += order.total.amount
        }
        return byCurrency.values.sorted { $0.currency < $1.currency }
    }

    @Test("signups, store counts, provisioning and GMV per currency equal a recomputation; CSV equals JSON", arguments: TestPlatform.storages)
    func acrossStores(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let dollars = try await client.makeStore("Dollar Shop")
            let euros = try await client.makeStore("Euro Shop")
            let resting = try await client.makeStore("Resting Shop")
            let gone = try await client.makeStore("Gone Shop")
            let quiet = try await client.signup(storeName: "Quiet Shop", email: "owner@quiet.test", password: "correct horse battery")
            try #require(quiet.status == .created)
            #expect(try await client.call(.put, "/api/settings", store: euros, json: ["currency": "EUR"]).status == .ok)
            #expect(try await client.execute(uri: "/api/tenants/\(resting.id)/suspend", method: .post, headers: .operatorAuth).status == .ok)
            #expect(try await client.execute(uri: "/api/tenants/\(gone.id)", method: .delete, headers: .operatorAuth).status == .ok)

            var placed: [(String, String, StoreFixture)] = []
            let lamp = try ProductRef(try await client.makeProduct(dollars, title: "Lamp", price: 4000, stock: 100)).variant
            let vase = try ProductRef(try await client.makeProduct(euros, title: "Vase", price: 2550, stock: 100)).variant
            for (store, variant, quantity, instant, currency) in [
                (dollars, lamp, 1, "2026-03-01T00:10:00.000Z", "USD"), (dollars, lamp, 2, "2026-03-01T23:50:00.000Z", "USD"),
                (dollars, lamp, 3, "2026-03-02T12:00:00.000Z", "USD"), (euros, vase, 2, "2026-03-02T23:59:00.000Z", "EUR"),
                (euros, vase, 1, "2026-02-28T23:59:00.000Z", "EUR"),
            ] as [(StoreFixture, String, Int, String, String)] {
                placed.append((currency, try await SalesReportTests.place(platform, store, variant: variant, quantity: quantity, at: instant), store))
            }
            // The orders were written straight to the stores' databases, not through a request:
            // a request to each store now is what tells the next usage flush that they changed
            // (a background round in between would otherwise have read them before the orders).
            for store in [dollars, euros] { #expect(try await client.call(.get, "/api/orders", store: store).status == .ok) }
            let first = try await Self.report(client, "from=2026-03-01&to=2026-03-02")
            #expect(first.data.first?.sales.first?.orders == 2, "rolled up before the cancellation")
            #expect(try await client.call(.post, "/api/orders/\(placed[1].1)/cancel", store: dollars).json["status"] as? String == "cancelled")
            #expect(try await client.call(.post, "/api/orders/\(placed[2].1)/mark-paid", store: dollars).status == .ok)
            #expect(try await client.call(.post, "/api/orders/\(placed[2].1)/refunds", store: dollars, json: ["amount": 1500]).status == .created)

            var orders: [(String, OrderFacts)] = []
            for (currency, id, store) in placed {
                orders.append((currency, try await client.call(.get, "/api/orders/\(id)", store: store).decode(OrderFacts.self)))
            }
            let march = try await Self.report(client, "from=2026-03-01&to=2026-03-02&interval=day")
            #expect(march.timeZone == "UTC" && march.data.map(\.period) == ["2026-03-01", "2026-03-02"])
            #expect(march.data.map(\.sales) == ["2026-03-01", "2026-03-02"].map { Self.expected(orders, day: $0) })
            #expect(march.data[0].sales == [Sales(currency: "USD", orders: 1, gmv: orders[0].1.total.amount)], "the cancelled order left day one")
            #expect(march.totals.sales.map(\.orders) == [1, 2] && march.totals.sales.map(\.currency) == ["EUR", "USD"])
            #expect(march.data.allSatisfy { $0.signups == 0 && $0.provisioning.attempts == 0 })
            #expect(march.stores == Stores(total: 5, active: 3, suspended: 1, deleted: 1, provisioning: 0, activeLast30Days: 2))
            // The half-minute round may have read the others before they were suspended, deleted
            // or backfilled on a slow run: only the deleted one is certainly left out.
            #expect(Set(march.largest.map(\.tenantId)).isSuperset(of: [dollars.id, euros.id]))
            #expect(!march.largest.contains { $0.tenantId == gone.id }, "a deleted store is not among the largest")
            #expect(march.largest.first { $0.tenantId == euros.id }?.gmv == Self.expected(orders, day: "2026-03-02").first?.gmv)

            // Today: the five signups, the refund, and a failed attempt written as the saga does.
            let today = String(Timestamp.string(Date()).prefix(10))
            try await platform.services.platformDatabase.write { sql in
                try await sql.raw(
                    """
                    INSERT INTO provisioning_attempts (id, tenant_id, slug, outcome, failed_step, error, steps, total_microseconds, started_at)
                    VALUES ('prv_failed', 'ten_failed', 'failed-shop', 'failed', 'database', 'disk full', '[]', 9000000, \(bind: Timestamp.string(Date())))
                    """
                ).run()
            }
            let now = try await Self.report(client, "from=\(today)&to=\(today)")
            #expect(now.data.count == 1 && now.data[0].signups == 5)
            #expect(now.data[0].sales == [Sales(currency: "USD", orders: 0, gmv: 0, refunds: 1500)])
            let micros = try await platform.services.platformDatabase.read { sql in
                try await sql.raw("SELECT total_microseconds FROM provisioning_attempts ORDER BY total_microseconds").all()
                    .map { try $0.decode(column: "total_microseconds", as: Int.self) }
            }
            func rank(_ share: Double) -> Double {
                (Double(micros[min(Int((share * Double(micros.count)).rounded(.up)) - 1, micros.count - 1)]) / 100).rounded() / 10
            }
            #expect(
                now.data[0].provisioning
                    == Provisioning(attempts: micros.count, failures: 1, medianMilliseconds: rank(0.5), p95Milliseconds: rank(0.95)))
            #expect(micros.count == 6)

            // The backfill reads the store that never had a request, once.
            await UsageFlushService.flush(platform.services.platform, logger: platform.services.logger, backfillAfter: "")
            let backfilled = try await Self.report(client, "from=2026-03-01&to=2026-03-02")
            // A slow run's half-minute round may have read the suspended store before it was suspended.
            #expect(Set(backfilled.largest.map(\.tenantId)).isSuperset(of: [dollars.id, euros.id, try #require(quiet.json["id"] as? String)]))
            #expect(!backfilled.largest.contains { $0.tenantId == gone.id })
            #expect(backfilled.stores.activeLast30Days == 2, "a store with neither orders nor sign-ins is not active")

            // Rolling up again changes nothing.
            await UsageFlushService.flush(platform.services.platform, logger: platform.services.logger)
            await UsageFlushService.flush(platform.services.platform, logger: platform.services.logger)
            #expect(try await Self.report(client, "from=2026-03-01&to=2026-03-02").totals.sales == march.totals.sales)

            let csv = try await client.execute(
                uri: "/api/platform/reports?from=2026-03-01&to=2026-03-02", method: .get,
                headers: {
                    var headers = HTTPFields.operatorAuth
                    headers[.accept] = "text/csv"
                    return headers
                }())
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let rows = csv.text.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            #expect(
                rows.first
                    == [
                        "period", "signups", "provisioning_attempts", "provisioning_failures", "provisioning_median_ms", "provisioning_p95_ms",
                        "orders_EUR", "gmv_EUR", "refunds_EUR", "orders_USD", "gmv_USD", "refunds_USD",
                    ])
            var expectedRows: [[String]] = []
            for period in march.data {
                var row: [String] = [period.period, "0", "0", "0", "", ""]
                for currency in ["EUR", "USD"] {
                    let figures = period.sales.first { $0.currency == currency } ?? Sales(currency: currency)
                    row += [String(figures.orders), String(figures.gmv), String(figures.refunds)]
                }
                expectedRows.append(row)
            }
            #expect(Array(rows.dropFirst()) == expectedRows)
        }
    }

    @Test("the report needs the operator token, and a bad range changes nothing and says why")
    func refusals() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Nosy Shop")
            #expect(try await client.execute(uri: "/api/platform/reports", method: .get, headers: [:]).status == .unauthorized)
            let staff = try await client.execute(uri: "/api/platform/reports", method: .get, headers: [.authorization: "Bearer \(store.token)"])
            #expect(staff.status == .unauthorized, "a store's staff token is not the operator's")
            let onStore = try await client.call(.get, "/api/platform/reports", store: store)
            #expect(onStore.status == .notFound, "the route lives on the platform host only")
            let bad = try await client.execute(uri: "/api/platform/reports?from=2026-02-30&interval=hour", method: .get, headers: .operatorAuth)
            #expect(bad.status == .unprocessableContent && Set(bad.errorFields) == ["from", "interval"], "\(bad.text)")
            let nul = try await client.execute(uri: "/api/platform/reports?to=2026-01-0%00", method: .get, headers: .operatorAuth)
            #expect(nul.status == .badRequest && nul.text.contains("NUL"), "\(nul.status) \(nul.text)")
        }
    }

    @Test("the console's reports page: the operator's session, charts as SVG, the same numbers as CSV")
    func consolePage() async throws {
        try await TestPlatform.withPlatform { platform, client in
            let store = try await client.makeStore("Chart Shop")
            let lamp = try ProductRef(try await client.makeProduct(store, title: "Lamp", price: 4000, stock: 10)).variant
            let today = Timestamp.string(Date())
            _ = try await SalesReportTests.place(platform, store, variant: lamp, quantity: 2, at: today)
            let browser = BrowserClient(client)
            let stranger = try await browser.get("/console/reports", host: "localhost")
            #expect(stranger.location == "/console", "no session, no reports")
            #expect(try await browser.get("/console/reports.csv", host: "localhost").location == "/console")
            let login = try await browser.get("/console", host: "localhost")
            _ = try await browser.post("/console/login", host: "localhost", form: ["token": TestPlatform.operatorToken], csrf: login.csrf)
            let page = try await browser.get("/console/reports?range=7", host: "localhost")
            #expect(page.status == .ok)
            #expect(page.html.components(separatedBy: "<svg class=\"chart\"").count == 4, "signups, GMV in USD, provisioning time")
            #expect(page.html.contains("GMV in USD") && page.html.contains("chart-shop"))
            #expect(page.html.contains("$80.00"), "two lamps")
            let custom = try await browser.get("/console/reports?range=custom&from=2026-13-01", host: "localhost")
            #expect(custom.status == .unprocessableContent && custom.html.contains("From must be a date"))
            let badCSV = try await browser.get("/console/reports.csv?from=yesterday", host: "localhost")
            #expect(badCSV.status == .unprocessableContent && badCSV.html.contains("<html"), "a page, not a file: \(badCSV.html.prefix(200))")
            let csv = try await browser.get("/console/reports.csv?from=\(today.prefix(10))&to=\(today.prefix(10))", host: "localhost")
            let api = try await client.execute(
                uri: "/api/platform/reports?from=\(today.prefix(10))&to=\(today.prefix(10))", method: .get,
                headers: {
                    var headers = HTTPFields.operatorAuth
                    headers[.accept] = "text/csv"
                    return headers
                }())
            #expect(csv.status == .ok && csv.html == api.text && csv.html.contains(",1,8000,0"), "\(csv.html)")
        }
    }

    @Test("an older read of a store never overwrites a newer one; a purge forgets the store")
    func laterReadWins() async throws {
        try await TestPlatform.withPlatform { platform, _ in
            let activity = PlatformActivity(database: platform.services.platformDatabase)
            func snapshot(_ gmv: Int) -> PlatformActivity.Snapshot {
                .init(
                    days: [.init(day: "2026-03-01", orders: 1, gmv: gmv, refunds: 0)], lastOrderAt: nil, lastStaffSignInAt: nil, databaseBytes: 1,
                    currency: "USD")
            }
            #expect(try await activity.record(tenantID: "ten_a", snapshot(500), readAt: 200))
            #expect(try await activity.record(tenantID: "ten_a", snapshot(100), readAt: 100) == false)
            #expect(try await activity.rolledUpAt(tenantID: "ten_a") == 200)
            let gmv = try await platform.services.platformDatabase.read { sql in
                try await sql.raw("SELECT gmv FROM tenant_sales_days WHERE tenant_id = 'ten_a'").first()?.decode(column: "gmv", as: Int.self)
            }
            #expect(gmv == 500)
            try await activity.remove(tenantID: "ten_a")
            #expect(try await activity.rolledUpAt(tenantID: "ten_a") == nil)
        }
    }

    @Test("the time a store's database is held open is counted and priced")
    func openTime() async throws {
        try await TestPlatform.withPlatform(configure: { $0.costs.perConnectionHour = 3600 }) { platform, client in
            let store = try await client.makeStore("Open Shop")
            _ = try await client.call(.get, "/api/products", host: store.host)
            try await Task.sleep(for: .milliseconds(50))
            await UsageFlushService.flush(platform.services.platform, logger: platform.services.logger)
            let usage = try await client.execute(uri: "/api/tenants/\(store.id)/metrics", method: .get, headers: .operatorAuth)
            let cost = try #require(usage.json["cost"] as? [String: Any], "\(usage.text)")
            let open = try #require(cost["openSeconds30Days"] as? Double)
            #expect(open >= 0.05, "open since the signup, at least the pause")
            #expect(abs((cost["connections"] as? Double ?? -1) - (open * 10_000).rounded() / 10_000) < 0.002, "an open hour costs 3600")
        }
    }
}
