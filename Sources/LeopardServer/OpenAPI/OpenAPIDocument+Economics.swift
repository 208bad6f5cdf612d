import Foundation
import LeopardCommerce
import LeopardCore

/// Where a store ships and what tax it charges, and a cart's address and shipping method.
extension OpenAPIDocument {
    static let economicsOperations: [Operation] = [
        Operation(
            method: "put", path: "/api/carts/{cartId}/address", id: "setCartAddress",
            summary: "Set the cart's shipping address: prices shipping and tax for it", tag: "cart",
            access: .cart, body: "CartAddressInput", response: "Cart"),
        Operation(
            method: "get", path: "/api/carts/{cartId}/shipping-methods", id: "listShippingMethods",
            summary: "The methods that ship this cart to its address, priced for it (409 without an address, 422 where the store does not ship)",
            tag: "cart", access: .cart, response: "page:ShippingOption"),
        Operation(
            method: "put", path: "/api/carts/{cartId}/shipping-method", id: "setShippingMethod", summary: "Choose one of the cart's shipping methods",
            tag: "cart", access: .cart,
            body: "ShippingMethodChoice", response: "Cart"),
        Operation(
            method: "post", path: "/api/shipping-zones", id: "createShippingZone", summary: "Add a shipping zone (each country or region in one zone only)",
            tag: "shipping",
            access: .staff, body: "ShippingZoneInput", status: 201, response: "ShippingZone"),
        Operation(
            method: "get", path: "/api/shipping-zones", id: "listShippingZones", summary: "The store's shipping zones", tag: "shipping", access: .staff,
            response: "page:ShippingZone",
            parameters: page),
        Operation(
            method: "get", path: "/api/shipping-zones/{zoneId}", id: "getShippingZone", summary: "A shipping zone", tag: "shipping", access: .staff,
            response: "ShippingZone"),
        Operation(
            method: "put", path: "/api/shipping-zones/{zoneId}", id: "replaceShippingZone", summary: "Replace a zone's name, places and methods",
            tag: "shipping", access: .staff,
            body: "ShippingZoneInput", response: "ShippingZone"),
        Operation(
            method: "delete", path: "/api/shipping-zones/{zoneId}", id: "deleteShippingZone", summary: "Remove a shipping zone", tag: "shipping",
            access: .staff, status: 204),
        Operation(
            method: "post", path: "/api/tax-rates", id: "createTaxRate", summary: "Add a tax rate for a country or region and a tax class", tag: "tax",
            access: .staff,
            body: "TaxRateInput", status: 201, response: "TaxRate"),
        Operation(
            method: "get", path: "/api/tax-rates", id: "listTaxRates", summary: "The store's tax rates", tag: "tax", access: .staff, response: "page:TaxRate",
            parameters: page),
        Operation(
            method: "delete", path: "/api/tax-rates/{rateId}", id: "deleteTaxRate", summary: "Remove a tax rate", tag: "tax", access: .staff, status: 204),
        Operation(
            method: "post", path: "/api/discounts", id: "createDiscount", summary: "Add a discount code or an automatic discount", tag: "discounts",
            access: .staff,
            body: "DiscountCreate", status: 201, response: "Discount"),
        Operation(
            method: "get", path: "/api/discounts", id: "listDiscounts", summary: "The store's discounts", tag: "discounts", access: .staff,
            response: "page:Discount",
            parameters: page),
        Operation(
            method: "get", path: "/api/discounts/{discountId}", id: "getDiscount", summary: "A discount", tag: "discounts", access: .staff, response: "Discount"
        ),
        Operation(
            method: "patch", path: "/api/discounts/{discountId}", id: "updateDiscount", summary: "Change a discount (null clears limits, dates and minimums)",
            tag: "discounts",
            access: .staff, body: "DiscountInput", response: "Discount"),
        Operation(
            method: "delete", path: "/api/discounts/{discountId}", id: "deleteDiscount", summary: "Remove a discount", tag: "discounts", access: .staff,
            status: 204),
        Operation(
            method: "post", path: "/api/carts/{cartId}/discounts", id: "applyDiscountCode",
            summary: "Put a discount code on the cart (422 says why one does not apply)", tag: "cart",
            access: .cart, body: "DiscountCodeInput", response: "Cart"),
        Operation(
            method: "delete", path: "/api/carts/{cartId}/discounts/{code}", id: "removeDiscountCode", summary: "Take a code off the cart", tag: "cart",
            access: .cart, response: "Cart"),
    ]
}

extension OpenAPISchemas {
    static var economicsSchemas: [(String, JSONValue)] {
        let o = OpenAPISchemas.self
        let money = o.ref("Money")
        let countries = Address.countries.sorted().joined(separator: "|")
        let region: JSONValue = ["type": "string", "pattern": .string("^(?:\(countries))-[A-Z0-9]{1,3}$"), "description": "ISO 3166-2, such as US-CA"]
        let taxClass: JSONValue = ["type": "string", "enum": .array(TaxClass.allCases.map { .string($0.rawValue) })]
        let band = o.object([("upTo", ["type": "integer", "minimum": 0]), ("rate", money)], required: ["upTo", "rate"])
        // Each band's upTo is above the one before (a rule between items the hook in
        // bench/schemathesis follows).
        let bandInput = o.object(
            [("upTo", ["type": "integer", "minimum": 0, "maximum": .int(Money.maximumAmount)]), ("rate", o.ref("MoneyInput"))], required: ["upTo", "rate"])
        let kind: JSONValue = ["type": "string", "enum": ["flat", "weight", "price"]]
        let discountKind: JSONValue = ["type": "string", "enum": ["percentage", "fixed", "free_shipping", "buy_x_get_y"]]
        let ids: JSONValue = ["type": "array", "maxItems": 100, "items": ["type": "string", "minLength": 1, "maxLength": 64, "pattern": .string(o.noNUL)]]
        let codePattern: JSONValue = "^[A-Za-z0-9_-]{1,64}$"
        let discountCode: JSONValue = ["type": "string", "pattern": codePattern]
        // ISO 8601 with an offset, as the server reads it: 2026-12-24T00:00:00Z, .123 allowed.
        let instant: JSONValue = [
            "type": ["string", "null"],
            "pattern":
                "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,3})?(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])$",
        ]
        let limit: JSONValue = ["type": ["integer", "null"], "minimum": 1, "maximum": 1_000_000_000]
        return [
            (
                "Totals",
                o.object(
                    [("subtotal", money), ("discount", money), ("shipping", money), ("tax", money), ("total", money)],
                    required: ["subtotal", "discount", "shipping", "tax", "total"])
            ),
            ("TaxLine", o.object([("name", o.string), ("rate", ["type": "number"]), ("amount", money)], required: ["name", "rate", "amount"])),
            (
                "AppliedDiscount",
                o.object([("id", o.string), ("code", o.string), ("title", o.string), ("amount", money)], required: ["id", "title", "amount"])
            ),
            ("ShippingOption", o.object([("id", o.string), ("name", o.string), ("price", money)], required: ["id", "name", "price"])),
            ("CartAddressInput", o.object([("shippingAddress", o.ref("Address"))], required: ["shippingAddress"])),
            ("ShippingMethodChoice", o.object([("id", ["type": "string", "minLength": 1])], required: ["id"])),
            (
                "ShippingMethod",
                o.object(
                    [
                        ("id", o.string), ("name", o.string), ("kind", kind), ("rate", money), ("bands", o.array(band)), ("freeOver", money),
                    ], required: ["id", "name", "kind", "bands"])
            ),
            (
                "ShippingZone",
                o.object(
                    [
                        ("id", o.string), ("name", o.string), ("countries", o.array(o.string)), ("regions", o.array(o.string)),
                        ("methods", o.array(o.ref("ShippingMethod"))), ("createdAt", o.timestamp), ("updatedAt", o.timestamp),
                    ], required: ["id", "name", "countries", "regions", "methods", "createdAt", "updatedAt"])
            ),
            (
                "ShippingMethodInput",
                o.when(
                    ["properties": ["kind": ["const": "flat"]]], then: ["required": ["rate"]],
                    else: ["required": ["bands"], "properties": ["bands": ["minItems": 1]]],
                    o.object(
                        [
                            ("name", o.name(max: 100)), ("kind", kind), ("rate", o.ref("MoneyInput")),
                            ("bands", ["type": "array", "items": bandInput, "maxItems": 20, "description": "Required, 1 to 20, for weight and price"]),
                            ("freeOver", o.ref("MoneyInput")),
                        ], required: ["name", "kind"]))
            ),
            (
                "ShippingZoneInput",
                // Countries, regions, or both: at least one place.
                o.when(
                    ["properties": ["regions": ["maxItems": 0]]], then: ["required": ["countries"], "properties": ["countries": ["minItems": 1]]],
                    o.object(
                        [
                            ("name", o.name(max: 100)), ("countries", ["type": "array", "items": o.country, "maxItems": 250, "uniqueItems": true]),
                            ("regions", ["type": "array", "items": region, "maxItems": 250, "uniqueItems": true]),
                            ("methods", ["type": "array", "items": o.ref("ShippingMethodInput"), "minItems": 1, "maxItems": 20]),
                        ], required: ["name", "methods"]))
            ),
            ("DiscountCodeInput", o.object([("code", discountCode)], required: ["code"])),
            ("CartDiscountCode", o.object([("code", o.string), ("applied", o.boolean), ("problem", o.string)], required: ["code", "applied"])),
            (
                "Discount",
                o.object(
                    [
                        ("id", o.string), ("code", o.nullable("string")), ("title", o.string), ("kind", discountKind), ("value", ["type": "number"]),
                        ("appliesTo", ["type": "string", "enum": ["order", "item"]]), ("buyQuantity", o.nullable("integer")),
                        ("getQuantity", o.nullable("integer")), ("minSubtotal", money), ("minQuantity", o.nullable("integer")),
                        ("productIds", ids), ("categoryIds", ids), ("customerIds", ids),
                        ("customerTags", o.array(o.string)), ("startsAt", o.timestamp), ("endsAt", o.timestamp), ("usageLimit", o.nullable("integer")),
                        ("perCustomerLimit", o.nullable("integer")),
                        ("timesUsed", o.integer), ("combinable", o.boolean), ("automatic", o.boolean), ("active", o.boolean), ("createdAt", o.timestamp),
                        ("updatedAt", o.timestamp),
                    ], required: ["id", "title", "kind", "value", "appliesTo", "timesUsed", "combinable", "automatic", "active", "createdAt", "updatedAt"])
            ),
            (
                "DiscountInput",
                // With its kind, a value is a percentage (two decimals, at most 100) or whole minor units;
                // buy X get Y needs both quantities.
                o.dependent(
                    "kind",
                    [
                        "allOf": [
                            [
                                "if": ["properties": ["kind": ["enum": ["percentage", "buy_x_get_y"]]]],
                                "then": ["properties": ["value": ["maximum": 100, "multipleOf": .decimal(Decimal(1) / 100)]]],
                                "else": ["properties": ["value": ["multipleOf": 1]]],
                            ],
                            ["if": ["properties": ["kind": ["const": "buy_x_get_y"]]], "then": ["required": ["buyQuantity", "getQuantity"]]],
                        ]
                    ],
                    o.object([
                        (
                            "code",
                            ["type": ["string", "null"], "pattern": codePattern, "description": "Required unless the discount is automatic"]
                        ), ("title", o.name(max: 100)), ("kind", discountKind),
                        (
                            "value",
                            [
                                "type": "number", "exclusiveMinimum": 0, "maximum": .int(Money.maximumAmount),
                                "description": "Percent (above 0, at most 100) for percentage and buy_x_get_y; whole minor units for fixed",
                            ]
                        ),
                        ("appliesTo", ["type": "string", "enum": ["order", "item"]]),
                        ("buyQuantity", ["type": "integer", "minimum": 1, "maximum": 100]), ("getQuantity", ["type": "integer", "minimum": 1, "maximum": 100]),
                        ("minSubtotal", o.ref("MoneyInput")), ("minQuantity", ["type": ["integer", "null"], "minimum": 1, "maximum": 10_000]),
                        ("productIds", ids),
                        ("categoryIds", ids), ("customerIds", ids),
                        ("customerEmails", ["type": "array", "items": o.email, "maxItems": 100, "description": "Customers by address, added to customerIds"]),
                        (
                            "customerTags",
                            ["type": "array", "items": o.customerTag, "maxItems": 20, "description": "For signed-in customers with any of these tags"]
                        ),
                        ("startsAt", instant), ("endsAt", instant), ("usageLimit", limit), ("perCustomerLimit", limit),
                        ("combinable", o.boolean), ("automatic", o.boolean), ("active", o.boolean),
                    ]))
            ),
            (
                "TaxRate",
                o.object(
                    [
                        ("id", o.string), ("country", o.string), ("region", o.string), ("name", o.string), ("rate", ["type": "number"]),
                        ("taxClass", taxClass), ("appliesToShipping", o.boolean), ("createdAt", o.timestamp),
                    ], required: ["id", "country", "name", "rate", "taxClass", "appliesToShipping", "createdAt"])
            ),
            (
                "TaxRateInput",
                o.object(
                    [
                        ("country", o.country),
                        ("region", ["type": "string", "pattern": "^[A-Za-z0-9]{1,3}$", "description": "ISO 3166-2 subdivision, without the country"]),
                        (
                            "rate",
                            [
                                "type": "number", "minimum": 0, "maximum": 100, "multipleOf": .decimal(Decimal(1) / 10_000),
                                "description": "Percent, at most four decimals",
                            ]
                        ),
                        ("name", ["type": "string", "maxLength": 100]), ("taxClass", taxClass), ("appliesToShipping", o.boolean),
                    ], required: ["country", "rate"])
            ),
        ]
    }
}
