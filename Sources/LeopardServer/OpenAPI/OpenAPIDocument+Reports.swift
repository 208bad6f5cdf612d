import LeopardCommerce

/// The store's reports: the same rows as JSON, or as CSV with `Accept: text/csv`.
extension OpenAPIDocument {
    static let reportOperations: [Operation] = {
        let range: [Parameter] = [.query("from", OpenAPISchemas.reportDay), .query("to", OpenAPISchemas.reportDay)]
        return [
            Operation(
                method: "get", path: "/api/reports/sales", id: "reportSales",
                summary:
                    "Sales by day, week or month of the store's time zone, with totals and the same number of days before; CSV with Accept: text/csv (permission: reports)",
                tag: "reports", access: .staff, response: "SalesReport",
                parameters: range + [.query("interval", ["type": "string", "enum": ["day", "week", "month"]])]),
            Operation(
                method: "get", path: "/api/reports/products", id: "reportProducts",
                summary: "Best sellers by revenue after discounts; CSV with Accept: text/csv (permission: reports)", tag: "reports", access: .staff,
                response: "page:ProductSales", parameters: range + page + [.query("by", ["type": "string", "enum": ["product", "variant"]])]),
            Operation(
                method: "get", path: "/api/reports/categories", id: "reportCategories",
                summary: "Sales by each product's main category (at most 1,000); CSV with Accept: text/csv (permission: reports)", tag: "reports",
                access: .staff, response: "page:CategorySales", parameters: range),
            Operation(
                method: "get", path: "/api/reports/customers", id: "reportCustomers",
                summary: "New and returning customers, their orders and revenue; CSV with Accept: text/csv (permission: reports)", tag: "reports",
                access: .staff, response: "CustomerReport", parameters: range),
            Operation(
                method: "get", path: "/api/reports/funnel", id: "reportFunnel",
                summary:
                    "Storefront visitors per step (session, product, cart, checkout, order, paid), counted by a daily-salted hash, no cookies; CSV with Accept: text/csv (permission: reports)",
                tag: "reports", access: .staff, response: "FunnelReport", parameters: range),
        ]
    }()
}

extension OpenAPISchemas {
    static var reportSchemas: [(String, JSONValue)] {
        let o = OpenAPISchemas.self
        let amounts = ["orders", "gross", "discounts", "refunds", "net", "tax", "shipping", "total", "averageOrderValue"]
        let customers = o.object(
            [("customers", o.integer), ("orders", o.integer), ("revenue", o.integer)], required: ["customers", "orders", "revenue"])
        let figures = o.object([("period", o.string)] + amounts.map { ($0, o.integer) }, required: ["period"] + amounts)
        return [
            ("SalesFigures", figures),
            (
                "SalesReport",
                o.object(
                    [
                        ("from", o.string), ("to", o.string), ("interval", o.string), ("timeZone", o.string), ("currency", o.string),
                        ("data", o.array(o.ref("SalesFigures"))), ("totals", o.ref("SalesFigures")), ("previous", o.ref("SalesFigures")),
                    ], required: ["from", "to", "interval", "timeZone", "currency", "data", "totals", "previous"])
            ),
            (
                "FunnelReport",
                o.object(
                    [
                        ("from", o.string), ("to", o.string), ("timeZone", o.string),
                        (
                            "data",
                            o.array(
                                o.object(
                                    [
                                        ("step", ["type": "string", "enum": ["session", "product", "cart", "checkout", "order", "paid"]]),
                                        ("visitors", o.integer), ("conversion", o.nullable("number")),
                                    ], required: ["step", "visitors"]))
                        ),
                    ], required: ["from", "to", "timeZone", "data"])
            ),
            (
                "ProductSales",
                o.object(
                    [
                        ("productId", o.nullable("string")), ("title", o.string), ("variantId", o.string), ("variantTitle", o.nullable("string")),
                        ("units", o.integer), ("revenue", o.integer),
                    ],
                    required: ["productId", "title", "units", "revenue"])
            ),
            (
                "CategorySales",
                o.object(
                    [("categoryId", o.nullable("string")), ("name", o.string), ("units", o.integer), ("revenue", o.integer)],
                    required: ["categoryId", "name", "units", "revenue"])
            ),
            (
                "CustomerReport",
                o.object(
                    [("from", o.string), ("to", o.string), ("new", customers), ("returning", customers)], required: ["from", "to", "new", "returning"])
            ),
        ]
    }
}
