import Foundation
import HummingbirdTesting
import LeopardCommerce
import LeopardCore
import LeopardStorage
import SQLKit
import Testing

@testable import LeopardServer

/// Issue 22's sales report: orders placed at known instants (some either side of midnight in
/// Berlin), one cancelled, one discounted, one edited and one refunded; every figure is checked
/// against a sum over the orders as the API shows them, in the store's zone.
@Suite("Reports: sales by period in the store's zone, best sellers, CSV")
struct SalesReportTests {
    struct Figures: Decodable, Equatable {
        var period: String
        var orders = 0
        var gross = 0
        var discounts = 0
        var refunds = 0
        var net = 0
        var tax = 0
        var shipping = 0
        var total = 0
    }

    struct Sales: Decodable {
        let timeZone: String
        let data: [Figures]
        let totals: Figures
        let previous: Figures
    }

    struct OrderFacts: Decodable {
        struct Amount: Decodable { let amount: Int }
        let id: String
        let status: String
        let createdAt: String
        let subtotal: Amount
        let discount: Amount
        let tax: Amount
        let shipping: Amount
        let total: Amount
        let refundedTotal: Amount
    }

    static let address = Address(name: "Ada", line1: "1 Main St", line2: nil, city: "Berlin", region: nil, postalCode: "10115", country: "DE")

    /// Places an order for `quantity` of `variant` at `instant`, through the checkout service.
    static func place(
        _ platform: TestPlatform, _ store: StoreFixture, variant: String, quantity: Int, code: String? = nil, at instant: String,
        email: String = "shopper@example.test"
    ) async throws -> String {
        let tenant = try #require(try await platform.services.registry.find(id: store.id))
        return try await platform.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
            let carts = Carts(database: database)
            let cart = try await carts.create(.init(email: email, items: [.init(variantId: variant, quantity: quantity)]), customerID: nil)
            if let code { _ = try await carts.addDiscount(cartID: cart.id, access: .staff, code: code) }
            let now = try #require(Timestamp.date(instant))
            let input = Checkout.Input(email: email, shippingAddress: address, paymentMethod: "bank_transfer")
            let result = try await database.write { sql in
                try await Checkout(database: database).complete(cartID: cart.id, access: .staff, input: input, customerID: nil, now: now, on: sql)
            }
            return result.order.id
        }
    }

    /// The figures of `orders` by the day each was placed in `zone`: the direct recomputation.
    static func expected(_ orders: [OrderFacts], zone: String, days: [String]) throws -> [Figures] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: zone))
        var byDay = Dictionary(uniqueKeysWithValues: days.map { ($0, Figures(period: $0)) })
        for order in orders where order.status != "cancelled" {
            let parts = calendar.dateComponents([.year, .month, .day], from: try #require(Timestamp.date(order.createdAt)))
            let day = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
            guard var figures = byDay[day] else { continue }
            figures.orders += 1
            figures.gross += order.subtotal.amount
            figures.discounts += order.discount.amount
            figures.tax += order.tax.amount
            figures.shipping += order.shipping.amount
            figures.total += order.total.amount
            figures.net = figures.total - figures.refunds
            byDay[day] = figures
        }
        return days.compactMap { byDay[$0] }
    }

    @Test("sales by day in Berlin and in UTC equal a recomputation from the orders; CSV equals JSON", arguments: TestPlatform.storages)
    func salesByDay(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Report Shop")
            let variant = try ProductRef(try await client.makeProduct(store, title: "Lamp", price: 4000, stock: 100)).variant
            let settings = try await client.call(.put, "/api/settings", store: store, json: ["taxRate": 10, "timeZone": "Europe/Berlin", "shippingRate": 500])
            #expect(settings.json["timeZone"] as? String == "Europe/Berlin", "\(settings.text)")
            let code = try await client.call(.post, "/api/discounts", store: store, json: ["code": "TENOFF", "kind": "percentage", "value": 10])
            try #require(code.status == .created, "\(code.text)")
            var ids: [String] = []
            for (quantity, instant, discount) in [
                (1, "2026-02-27T12:00:00.000Z", nil), (2, "2026-03-01T22:30:00.000Z", nil), (3, "2026-03-01T23:30:00.000Z", nil),
                (1, "2026-03-02T10:00:00.000Z", nil), (4, "2026-03-03T12:00:00.000Z", "TENOFF"), (2, "2026-03-03T22:59:00.000Z", nil),
            ] as [(Int, String, String?)] {
                ids.append(try await Self.place(platform, store, variant: variant, quantity: quantity, code: discount, at: instant))
            }
            #expect(try await client.call(.post, "/api/orders/\(ids[3])/cancel", store: store).json["status"] as? String == "cancelled")
            let lineID = try #require(((try await client.call(.get, "/api/orders/\(ids[5])", store: store).json["lines"] as? [[String: Any]])?.first)?["id"])
            let edit = try await client.call(.post, "/api/orders/\(ids[5])/edits", store: store, json: ["lines": [["lineId": lineID, "quantity": 1]]])
            #expect(edit.status == .ok, "\(edit.text)")
            #expect(try await client.call(.post, "/api/orders/\(ids[2])/mark-paid", store: store).status == .ok)
            let refund = try await client.call(.post, "/api/orders/\(ids[2])/refunds", store: store, json: ["amount": 3000])
            #expect(refund.status == .created, "\(refund.text)")

            var orders: [OrderFacts] = []
            for id in ids { orders.append(try await client.call(.get, "/api/orders/\(id)", store: store).decode(OrderFacts.self)) }
            let days = ["2026-03-01", "2026-03-02", "2026-03-03"]
            let berlin = try await client.call(.get, "/api/reports/sales?from=2026-03-01&to=2026-03-03&interval=day", store: store).decode(Sales.self)
            #expect(berlin.timeZone == "Europe/Berlin")
            #expect(berlin.data == (try Self.expected(orders, zone: "Europe/Berlin", days: days)))
            #expect(berlin.data.map(\.orders) == [1, 1, 2], "23:30 UTC on 1 March is 2 March in Berlin; the cancelled order does not count")
            #expect(berlin.totals.gross == berlin.data.reduce(0) { $0 + $1.gross } && berlin.totals.period == "2026-03-01/2026-03-03")
            #expect(berlin.data[2].discounts > 0, "the discounted order")
            #expect(berlin.previous.orders == 1 && berlin.previous.period == "2026-02-26/2026-02-28")

            // Refunds count on the day they were made: today.
            let today = try await client.call(.get, "/api/reports/sales", store: store).decode(Sales.self)
            #expect(today.totals.refunds == 3000 && today.totals.orders == 0, "the last 30 days hold the refund and no order")

            let csv = try await client.call(
                .get, "/api/reports/sales?from=2026-03-01&to=2026-03-03", store: store, headers: [.accept: "text/csv"])
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let rows = csv.text.split(separator: "\r\n").map { $0.split(separator: ",").map(String.init) }
            #expect(rows.first == ["period", "orders", "gross", "discounts", "refunds", "net", "tax", "shipping", "total", "average_order_value"])
            #expect(
                rows.dropFirst().map { Array($0.prefix(9)) }
                    == berlin.data.map {
                        [$0.period] + [$0.orders, $0.gross, $0.discounts, $0.refunds, $0.net, $0.tax, $0.shipping, $0.total].map(String.init)
                    })

            #expect(try await client.call(.put, "/api/settings", store: store, json: ["timeZone": "UTC"]).json["timeZone"] as? String == "UTC")
            let utc = try await client.call(.get, "/api/reports/sales?from=2026-03-01&to=2026-03-03", store: store).decode(Sales.self)
            #expect(utc.data == (try Self.expected(orders, zone: "UTC", days: days)))
            #expect(utc.data.map(\.orders) == [2, 0, 2])

            // The migration's backfill, run again on these orders, gives the same ledger as
            // the transactions kept (the cancelled order's quarter hour nets to nothing).
            let tenant = try #require(try await platform.services.registry.find(id: store.id))
            try await platform.services.databases.withDatabase(tenantID: tenant.id, location: tenant.database) { database in
                let columns = ["orders", "gross", "discounts", "refunds", "tax", "shipping", "total"]
                let read: @Sendable () async throws -> [[Int]] = {
                    try await database.read { sql in
                        let sums = columns.map { "CAST(SUM(\($0)) AS BIGINT) AS \($0)" }.joined(separator: ", ")
                        return try await sql.raw(SQLQueryString("SELECT bucket, \(sums) FROM sales_entries GROUP BY bucket ORDER BY bucket")).all().map {
                            row in try (["bucket"] + columns).map { try row.decode(column: $0, as: Int.self) }
                        }.filter { $0.dropFirst().contains { $0 != 0 } }
                    }
                }
                let live = try await read()
                #expect(live.count == 6, "five placements and a refund: \(live)")
                try await database.write { sql in
                    try await sql.raw("DELETE FROM sales_entries").run()
                    for statement in StoreSchema.m0032SalesEntries.statements(for: database.kind)[2...3] { try await sql.raw(SQLQueryString(statement)).run() }
                }
                #expect(try await read() == live)
            }

            let other = try await client.makeStore("Other Report Shop")
            let empty = try await client.call(.get, "/api/reports/sales?from=2026-03-01&to=2026-03-03", store: other).decode(Sales.self)
            #expect(empty.totals.orders == 0 && empty.data.count == 3, "another store's report holds none of these orders")
        }
    }

    @Test("weeks start on Monday and months on the 1st; bad ranges, intervals and zones are refused")
    func periodsAndRefusals() async throws {
        try await TestPlatform.withPlatform { _, client in
            let store = try await client.makeStore("Period Shop")
            let weeks = try await client.call(.get, "/api/reports/sales?from=2026-02-25&to=2026-03-10&interval=week", store: store).decode(Sales.self)
            #expect(weeks.data.map(\.period) == ["2026-02-25", "2026-03-02", "2026-03-09"])
            let months = try await client.call(.get, "/api/reports/sales?from=2026-02-15&to=2026-04-01&interval=month", store: store).decode(Sales.self)
            #expect(months.data.map(\.period) == ["2026-02-15", "2026-03-01", "2026-04-01"])
            #expect(months.previous.period == "2025-12-31/2026-02-14", "the 46 days before")
            for (query, field) in [
                ("from=2026-02-30&to=2026-03-01", "from"), ("from=2026-03-02&to=2026-03-01", "to"), ("from=2020-01-01&to=2026-03-01", "to"),
                ("interval=year", "interval"), ("from=2026-3-1", "from"), ("to=2026-03-01%20", "to"),
            ] {
                let refused = try await client.call(.get, "/api/reports/sales?\(query)", store: store)
                #expect(refused.status == .unprocessableContent && refused.errorFields == [field], "\(query): \(refused.text)")
            }
            #expect(try await client.call(.get, "/api/reports/sales?to=2026-03-01%00", store: store).status == .badRequest, "a NUL is refused before")
            for zone in ["Mars/Olympus", "+02:00", "europe/berlin", String(repeating: "A", count: 80)] {
                let refused = try await client.call(.put, "/api/settings", store: store, json: ["timeZone": zone])
                #expect(refused.errorFields == ["timeZone"], "\(zone)")
            }
            let role = try await client.call(.post, "/api/roles", store: store, json: ["name": "Orders only", "permissions": ["orders"]])
            _ = try await client.call(
                .post, "/api/staff", store: store,
                json: ["email": "clerk@periodshop.test", "password": "clerk password", "roleId": try #require(role.json["id"] as? String)])
            let clerk = try #require(
                try await client.call(.post, "/api/auth/login", host: store.host, json: ["email": "clerk@periodshop.test", "password": "clerk password"])
                    .json["token"] as? String)
            #expect(try await client.call(.get, "/api/reports/sales", host: store.host, token: clerk).status == .forbidden)
            #expect(try await client.call(.get, "/api/reports/products", host: store.host, token: clerk).status == .forbidden)
            #expect(try await client.call(.get, "/api/reports/sales", host: store.host).status == .unauthorized)
        }
    }

    @Test("best sellers by revenue after discounts, a page at a time, as JSON and CSV", arguments: TestPlatform.storages)
    func bestSellers(storage: TestPlatform.Storage) async throws {
        struct Row: Decodable, Equatable {
            let productId: String?
            let title: String
            let units: Int
            let revenue: Int
        }
        struct Rows: Decodable {
            let data: [Row]
            let nextCursor: String?

            enum CodingKeys: String, CodingKey {
                case data
                case nextCursor = "next_cursor"
            }
        }
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Seller Shop")
            let lamp = try ProductRef(try await client.makeProduct(store, title: "Lamp", price: 4000, stock: 100))
            let vase = try ProductRef(try await client.makeProduct(store, title: "Vase", price: 1500, stock: 100))
            _ = try await client.call(.post, "/api/discounts", store: store, json: ["code": "HALF", "kind": "percentage", "value": 50])
            _ = try await Self.place(platform, store, variant: lamp.variant, quantity: 1, code: "HALF", at: "2026-05-01T10:00:00.000Z")
            _ = try await Self.place(platform, store, variant: vase.variant, quantity: 3, at: "2026-05-02T10:00:00.000Z")
            let cancelled = try await Self.place(platform, store, variant: vase.variant, quantity: 9, at: "2026-05-02T11:00:00.000Z")
            _ = try await client.call(.post, "/api/orders/\(cancelled)/cancel", store: store)
            _ = try await Self.place(platform, store, variant: lamp.variant, quantity: 5, at: "2026-06-01T10:00:00.000Z")

            let first = try await client.call(.get, "/api/reports/products?from=2026-05-01&to=2026-05-31&limit=1", store: store).decode(Rows.self)
            #expect(first.data == [Row(productId: vase.id, title: "Vase", units: 3, revenue: 4500)])
            let cursor = try #require(first.nextCursor)
            let second = try await client.call(.get, "/api/reports/products?from=2026-05-01&to=2026-05-31&limit=1&cursor=\(cursor)", store: store)
                .decode(Rows.self)
            #expect(second.data == [Row(productId: lamp.id, title: "Lamp", units: 1, revenue: 2000)] && second.nextCursor == nil)
            let csv = try await client.call(.get, "/api/reports/products?from=2026-05-01&to=2026-05-31", store: store, headers: [.accept: "text/csv"])
            #expect(csv.text == "product_id,title,units,revenue\r\n\(vase.id),Vase,3,4500\r\n\(lamp.id),Lamp,1,2000\r\n")
            let bad = try await client.call(.get, "/api/reports/products?cursor=\(Cursor.encode("-4"))", store: store)
            #expect(bad.errorFields == ["cursor"])
        }
    }

    @Test("a paid order edited down and then refunded loses the refund once, not twice", arguments: TestPlatform.storages)
    func paidEditThenRefund(storage: TestPlatform.Storage) async throws {
        try await TestPlatform.withPlatform(storage) { _, client in
            let store = try await client.makeStore("Edit Refund Shop")
            let (order, _) = try await ShopOperationsTests.paidOrder(client, store)
            let id = try #require(order["id"] as? String)
            let before = try #require((order["total"] as? [String: Any])?["amount"] as? Int)
            let bowl = try #require(try ShopOperationsTests.lineIDs(order).last)
            let edit = try await client.call(.post, "/api/orders/\(id)/edits", store: store, json: ["lines": [["lineId": bowl, "quantity": 1]]])
            let due = try #require((edit.json["refundDue"] as? [String: Any])?["amount"] as? Int, "\(edit.text)")
            let refund = try await client.call(.post, "/api/orders/\(id)/refunds", store: store, json: ["amount": due])
            #expect(refund.status == .created, "\(refund.text)")
            let today = try await client.call(.get, "/api/reports/sales", store: store).decode(Sales.self)
            #expect(today.totals.total == before, "the money taken stays until it is refunded")
            #expect(today.totals.refunds == due && today.totals.net == before - due)
            #expect(today.totals.gross == 2 * 1200 + 2500 + 900, "what was sold follows the edit")
        }
    }

    @Test("a day that starts at 01:00 (DST at midnight in Santiago) does not shift the days after it")
    func midnightDST() throws {
        let zone = try #require(TimeZone(identifier: "America/Santiago"))
        let range = try ReportRange.parse(from: "2026-09-05", to: "2026-09-08", interval: "day", zone: zone)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        #expect(range.periods.map(\.label) == ["2026-09-05", "2026-09-06", "2026-09-07", "2026-09-08"])
        #expect(range.periods.map { calendar.component(.hour, from: $0.start) } == [0, 1, 0, 0], "only the day itself starts late")
        #expect(zip(range.periods, range.periods.dropFirst()).allSatisfy { $0.end == $1.start })
        #expect(range.previous.from == "2026-09-01" && range.previous.to == "2026-09-04")
        let single = try ReportRange.parse(from: "2026-09-06", to: "2026-09-06", interval: "day", zone: zone)
        #expect(
            single.previous.from == "2026-09-05" && single.previous.to == "2026-09-05",
            "the day before, not an empty range: \(single.from) \(single.to) \(single.start) \(single.end) \(single.previous)")
        #expect(throws: Problem.self) { try ReportRange.parse(from: "2026-09-07", to: "2026-09-06", interval: "day", zone: zone) }
    }

    @Test("sales by variant, by category, and new against returning customers", arguments: TestPlatform.storages)
    func breakdowns(storage: TestPlatform.Storage) async throws {
        struct Categories: Decodable {
            struct Row: Decodable, Equatable {
                let categoryId: String?
                let name: String
                let units: Int
                let revenue: Int
            }
            let data: [Row]
        }
        struct Customers: Decodable {
            struct Group: Decodable, Equatable {
                let customers: Int
                let orders: Int
                let revenue: Int
            }
            let new: Group
            let returning: Group
        }
        try await TestPlatform.withPlatform(storage) { platform, client in
            let store = try await client.makeStore("Breakdown Shop")
            let category = try #require(try await client.call(.post, "/api/categories", store: store, json: ["name": "Lighting"]).json["id"] as? String)
            let lamp = try ProductRef(try await client.makeProduct(store, title: "Lamp", price: 4000, stock: 100))
            #expect(try await client.call(.patch, "/api/products/\(lamp.id)", store: store, json: ["categoryId": category]).status == .ok)
            let vase = try ProductRef(try await client.makeProduct(store, title: "Vase", price: 1500, stock: 100))
            _ = try await Self.place(platform, store, variant: lamp.variant, quantity: 1, at: "2026-05-01T10:00:00.000Z", email: "ann@example.test")
            let again = try await Self.place(platform, store, variant: vase.variant, quantity: 2, at: "2026-05-10T10:00:00.000Z", email: "ann@example.test")
            let first = try await Self.place(platform, store, variant: lamp.variant, quantity: 2, at: "2026-05-12T10:00:00.000Z", email: "bob@example.test")
            var totals: [Int] = []
            for id in [again, first] {
                totals.append(try #require((try await client.call(.get, "/api/orders/\(id)", store: store).json["total"] as? [String: Any])?["amount"] as? Int))
            }

            let range = "from=2026-05-05&to=2026-05-31"
            let categories = try await client.call(.get, "/api/reports/categories?\(range)", store: store).decode(Categories.self)
            #expect(
                categories.data == [
                    .init(categoryId: category, name: "Lighting", units: 2, revenue: 8000),
                    .init(categoryId: nil, name: "No category", units: 2, revenue: 3000),
                ])
            let customers = try await client.call(.get, "/api/reports/customers?\(range)", store: store).decode(Customers.self)
            #expect(customers.new == .init(customers: 1, orders: 1, revenue: totals[1]), "Bob's first order is in the range")
            #expect(customers.returning == .init(customers: 1, orders: 1, revenue: totals[0]), "Ann ordered before it")
            let csv = try await client.call(.get, "/api/reports/customers?\(range)", store: store, headers: [.accept: "text/csv"])
            #expect(csv.text == "customers,count,orders,revenue\r\nnew,1,1,\(totals[1])\r\nreturning,1,1,\(totals[0])\r\n")

            let variants = try await client.call(.get, "/api/reports/products?\(range)&by=variant", store: store)
            let rows = try #require(variants.json["data"] as? [[String: Any]])
            #expect(rows.map { $0["variantId"] as? String } == [lamp.variant, vase.variant])
            #expect(try await client.call(.get, "/api/reports/products?by=colour", store: store).errorFields == ["by"])
        }
    }
}
