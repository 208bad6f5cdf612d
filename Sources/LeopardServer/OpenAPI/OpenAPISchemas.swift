import Foundation
import LeopardCommerce

/// JSON Schemas (OpenAPI 3.1) of what the API reads and writes, named in `components.schemas`.
enum OpenAPISchemas {
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func nullable(_ type: String) -> JSONValue { ["type": [.string(type), "null"]] }
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static let string: JSONValue = ["type": "string"]
    static let integer: JSONValue = ["type": "integer"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let timestamp: JSONValue = ["type": "string", "format": "date-time"]

    /// An object; no key holds a NUL character (the server refuses those anywhere in a body).
    static func object(_ properties: [(String, JSONValue)], required: [String] = []) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", "object"), ("properties", .object(properties)), ("propertyNames", ["pattern": "^[^\\u0000]*$"])]
        if !required.isEmpty { pairs.append(("required", .array(required.map { .string($0) }))) }
        return .object(pairs)
    }

    /// `{data: [item], next_cursor}`.
    static func page(of item: String) -> JSONValue {
        object([("data", array(ref(item))), ("next_cursor", nullable("string"))], required: ["data", "next_cursor"])
    }

    static let all: [(String, JSONValue)] =
        [
            (
                "Problem",
                object(
                    [
                        ("type", string), ("title", string), ("status", integer), ("detail", string),
                        ("errors", array(ref("FieldError"))),
                    ], required: ["type", "title", "status"])
            ),
            (
                "FieldError",
                object(
                    [("field", ["type": "string", "description": "The field, dotted: shippingAddress.city, lines.0.quantity"]), ("message", string)],
                    required: ["field", "message"])
            ),
            ("Money", object([("amount", integer), ("currency", string)], required: ["amount", "currency"])),
            // Money or null, spelled as one schema: the Swift generator reads a nullable type, not a
            // `oneOf` with `null`.
            (
                "NullableMoney",
                [
                    "type": ["object", "null"], "properties": ["amount": integer, "currency": string],
                    "required": ["amount", "currency"],
                ]
            ),
            (
                "MoneyInput",
                [
                    "description": "Minor units in the store's currency, or {amount, currency}.",
                    "oneOf": [
                        ["type": "integer", "minimum": 0, "maximum": 1_000_000_000_000],
                        object([("amount", ["type": "integer", "minimum": 0, "maximum": 1_000_000_000_000]), ("currency", currency)], required: ["amount"]),
                    ],
                ]
            ),
            (
                "Address",
                object(
                    [
                        ("name", addressField(max: 200, required: true)), ("line1", addressField(max: 200, required: true)),
                        ("line2", addressField(max: 200, required: false)), ("city", addressField(max: 200, required: true)),
                        ("region", addressField(max: 200, required: false)), ("postalCode", addressField(max: 20, required: true)), ("country", country),
                    ], required: ["name", "line1", "city", "postalCode", "country"])
            ),
            ("StoreInfo", object([("id", string), ("slug", string), ("name", string), ("currency", string)], required: ["id", "slug", "name", "currency"])),
            (
                "Credentials",
                object(
                    [("email", ["type": "string", "minLength": 1, "maxLength": 254]), ("password", ["type": "string", "minLength": 1])],
                    required: ["email", "password"])
            ),
            ("StaffSession", object([("token", string), ("expiresAt", timestamp)], required: ["token", "expiresAt"])),
            (
                "Me",
                object(
                    [
                        ("id", string), ("email", string), ("role", string), ("via", string), ("emailVerified", boolean),
                        ("permissions", array(ref("Permission"))),
                    ],
                    required: ["id", "email", "role", "via", "emailVerified", "permissions"])
            ),
            (
                "ApiKeyInput",
                object([("name", ["type": "string", "minLength": 1, "maxLength": 100]), ("scopes", array(ref("Permission")))], required: ["name"])
            ),
            (
                "ApiKey",
                object(
                    [
                        ("id", string), ("name", string), ("hint", string), ("createdBy", string), ("createdAt", timestamp),
                        ("lastUsedAt", nullable("string")), ("revokedAt", nullable("string")), ("secret", string), ("scopes", array(ref("Permission"))),
                    ], required: ["id", "name", "hint", "createdAt", "scopes"])
            ),
            (
                "StaffInvitation",
                object(
                    [("email", email), ("role", ["type": "string", "enum": ["owner", "staff"]]), ("roleId", string), ("password", password)],
                    required: ["email"])
            ),
            (
                "StaffMember",
                object(
                    [
                        ("id", string), ("email", string), ("role", string), ("roleId", nullable("string")), ("hasPassword", boolean),
                        ("createdAt", timestamp),
                    ], required: ["id", "email", "role", "hasPassword", "createdAt"])
            ),
            (
                "Theme",
                object([
                    ("preset", ["type": "string", "enum": .array(StoreSettingsInput.presets.map { .string($0) })]), ("primaryColor", colour),
                    ("accentColor", colour), ("backgroundColor", colour), ("textColor", colour),
                    ("font", ["type": "string", "maxLength": 64, "description": "Letters, digits, spaces and hyphens"]),
                    ("radius", ["type": "integer", "minimum": 0, "maximum": 32]),
                ])
            ),
            (
                "Settings",
                object(
                    [
                        ("name", string), ("currency", string), ("contactEmail", nullable("string")), ("taxRate", ["type": "number"]),
                        ("shippingRate", ref("Money")), ("logoUrl", nullable("string")), ("theme", ref("Theme")), ("lowStockThreshold", integer),
                        ("mail", ref("MailPreferences")), ("pricesIncludeTax", boolean), ("reservationMinutes", integer),
                        ("timeZone", string),
                    ],
                    required: [
                        "name", "currency", "taxRate", "shippingRate", "theme", "lowStockThreshold", "mail", "pricesIncludeTax", "reservationMinutes",
                        "timeZone",
                    ])
            ),
            (
                "SettingsInput",
                object([
                    ("name", name(max: 100)), ("currency", currency),
                    ("contactEmail", nullableEmail),
                    (
                        "taxRate",
                        [
                            "type": "number", "minimum": 0, "maximum": 100, "multipleOf": .decimal(Decimal(1) / 100),
                            "description": "Percent, at most two decimals",
                        ]
                    ),
                    ("shippingRate", ref("MoneyInput")),
                    ("logoUrl", ["type": ["string", "null"], "maxLength": 2048, "pattern": .string(httpURLPattern)]),
                    ("theme", ref("Theme")),
                    (
                        "lowStockThreshold",
                        ["type": "integer", "minimum": 0, "maximum": 1_000_000, "description": "Stock at or under which inventory.low is sent"]
                    ),
                    ("mail", ref("MailPreferences")),
                    ("pricesIncludeTax", ["type": "boolean", "description": "Prices and shipping rates hold their tax (EU and UK habit)"]),
                    (
                        "reservationMinutes",
                        ["type": "integer", "minimum": 5, "maximum": 10_080, "description": "How long an unpaid card order holds its stock"]
                    ),
                    ("timeZone", ["type": "string", "maxLength": 64, "description": "An IANA zone such as Europe/Berlin: the store's days in reports"]),
                ])
            ),
            ("ProductImage", object([("id", string), ("url", string), ("alt", string), ("position", integer)], required: ["id", "url", "alt", "position"])),
            ("ProductOption", object([("name", string), ("values", array(string))], required: ["name", "values"])),
            (
                "ProductVariant",
                object(
                    [
                        ("id", string), ("sku", nullable("string")), ("title", string), ("options", ["type": "object", "additionalProperties": string]),
                        ("price", ref("Money")), ("compareAtPrice", ref("NullableMoney")), ("stock", integer),
                        ("trackInventory", boolean), ("inStock", boolean), ("weight", nullable("integer")), ("imageId", string),
                    ], required: ["id", "title", "options", "price", "stock", "trackInventory", "inStock"])
            ),
            (
                "Product",
                object(
                    [
                        ("id", string), ("title", string), ("slug", string), ("description", string),
                        ("status", ["type": "string", "enum": ["draft", "active", "archived"]]),
                        ("images", array(ref("ProductImage"))), ("options", array(ref("ProductOption"))), ("variants", array(ref("ProductVariant"))),
                        ("price", ref("Money")), ("stock", integer), ("inStock", boolean), ("tags", array(string)),
                        ("categoryId", string), ("categoryIds", array(string)), ("createdAt", timestamp), ("updatedAt", timestamp),
                        ("taxClass", ["type": "string", "enum": ["standard", "reduced", "exempt"]]), ("seoTitle", string), ("seoDescription", string),
                    ],
                    required: [
                        "id", "title", "slug", "description", "status", "images", "options", "variants", "price", "stock", "inStock", "tags", "createdAt",
                        "updatedAt", "taxClass",
                    ])
            ),
            (
                "Category",
                object(
                    [
                        ("id", string), ("name", string), ("slug", string), ("description", string), ("position", integer),
                        ("parentId", ["type": "string", "description": "The category it sits under; absent at the top"]), ("createdAt", timestamp),
                        ("updatedAt", timestamp),
                    ], required: ["id", "name", "slug", "description", "position", "createdAt", "updatedAt"])
            ),
            (
                "CategoryInput",
                object(
                    [
                        ("name", name(max: 255)), ("slug", slug),
                        ("description", ["type": "string", "maxLength": 65_536, "pattern": .string(noNUL), "description": "At most 64 KiB of UTF-8"]),
                        ("position", ["type": "integer", "minimum": 0, "maximum": 1_000_000]), ("parentId", nullable("string")),
                    ], required: ["name"])
            ),
            (
                "InventoryAdjustmentInput",
                object(
                    [
                        ("variantId", string), ("delta", ["type": "integer", "minimum": -1_000_000_000, "maximum": 1_000_000_000, "description": "Not zero"]),
                        ("reason", name(max: 200)),
                    ], required: ["variantId", "delta", "reason"])
            ),
            (
                "InventoryAdjustment",
                object(
                    [
                        ("id", string), ("variantId", string), ("delta", integer), ("stockAfter", integer), ("reason", string),
                        ("reference", string), ("actor", string), ("createdAt", timestamp),
                    ], required: ["id", "variantId", "delta", "stockAfter", "reason", "createdAt"])
            ),
            ("CartLineInput", object([("variantId", string), ("quantity", quantity)], required: ["variantId", "quantity"])),
            ("CartCreate", object([("email", email), ("items", ["type": "array", "maxItems": 100, "items": ref("CartLineInput")])])),
            (
                "CartItem",
                object(
                    [
                        ("id", string), ("variantId", string), ("productId", string), ("title", string), ("variantTitle", string), ("sku", string),
                        ("unitPrice", ref("Money")), ("quantity", integer), ("lineTotal", ref("Money")), ("available", boolean), ("problem", string),
                        ("discount", ref("Money")),
                        ("custom", ["type": "boolean", "description": "A draft order's line that is not in the catalog; variantId is empty."]),
                    ], required: ["id", "variantId", "title", "unitPrice", "quantity", "lineTotal", "available", "custom"])
            ),
            (
                "Cart",
                object(
                    [
                        ("id", string), ("status", ["type": "string", "enum": ["active", "completed"]]), ("email", string), ("currency", string),
                        ("items", array(ref("CartItem"))), ("itemCount", integer), ("subtotal", ref("Money")), ("shipping", ref("Money")),
                        ("tax", ref("Money")), ("total", ref("Money")), ("orderId", string), ("createdAt", timestamp), ("updatedAt", timestamp),
                        ("expiresAt", timestamp), ("secret", ["type": "string", "description": "Only when the cart is created; send it as X-Cart-Secret."]),
                        ("totals", ref("Totals")), ("discounts", array(ref("AppliedDiscount"))), ("discountCodes", array(ref("CartDiscountCode"))),
                        ("taxLines", array(ref("TaxLine"))),
                        ("pricesIncludeTax", boolean), ("shippingAddress", ref("Address")), ("shippingMethod", ref("ShippingOption")),
                        ("shipsToAddress", boolean),
                        ("preparedByStore", ["type": "boolean", "description": "A draft order's cart: only staff change its items and codes."]),
                        ("linkSentAt", timestamp),
                    ],
                    required: [
                        "id", "status", "currency", "items", "itemCount", "subtotal", "shipping", "tax", "total", "createdAt", "updatedAt", "expiresAt",
                        "totals",
                        "discounts", "discountCodes", "taxLines", "pricesIncludeTax", "shipsToAddress", "preparedByStore",
                    ])
            ),
            (
                "CheckoutInput",
                object(
                    [
                        ("email", email), ("shippingAddress", ref("Address")), ("billingAddress", ref("Address")),
                        ("paymentMethod", ["type": "string", "enum": ["card", "bank_transfer", "cash_on_delivery"]]),
                    ], required: ["email", "shippingAddress"])
            ),
            (
                "OrderLine",
                object(
                    [
                        ("id", string), ("productId", string), ("variantId", string), ("title", string), ("variantTitle", string), ("sku", string),
                        ("unitPrice", ref("Money")), ("quantity", integer), ("total", ref("Money")), ("discount", ref("Money")), ("tax", ref("Money")),
                        ("fulfilledQuantity", integer), ("returnedQuantity", integer),
                        ("custom", ["type": "boolean", "description": "Not from the catalog; productId and variantId are empty and no stock moves."]),
                    ],
                    required: [
                        "id", "productId", "variantId", "title", "unitPrice", "quantity", "total", "discount", "tax", "fulfilledQuantity", "returnedQuantity",
                        "custom",
                    ])
            ),
            (
                "OrderEvent",
                object(
                    [("id", string), ("type", string), ("message", string), ("actor", string), ("createdAt", timestamp)],
                    required: ["id", "type", "message", "createdAt"])
            ),
            (
                "Order",
                object(
                    [
                        ("id", string), ("number", integer), ("name", string),
                        ("status", ["type": "string", "enum": .array(OrderStatus.allCases.map { .string($0.rawValue) })]),
                        ("fulfillmentStatus", ["type": "string", "enum": ["unfulfilled", "partial", "fulfilled"]]),
                        ("fulfillments", array(ref("Fulfillment"))), ("returns", array(ref("OrderReturn"))),
                        ("email", string), ("customerId", string), ("currency", string), ("lines", array(ref("OrderLine"))),
                        ("subtotal", ref("Money")), ("shipping", ref("Money")), ("tax", ref("Money")), ("total", ref("Money")), ("refundedTotal", ref("Money")),
                        ("shippingAddress", ref("Address")), ("billingAddress", ref("Address")), ("paymentMethod", string), ("cartId", string),
                        ("createdAt", timestamp), ("updatedAt", timestamp), ("events", array(ref("OrderEvent"))),
                        ("discount", ref("Money")), ("totals", ref("Totals")), ("shippingMethod", nullable("string")), ("taxLines", array(ref("TaxLine"))),
                        ("discounts", array(ref("AppliedDiscount"))), ("pricesIncludeTax", boolean), ("expiresAt", timestamp),
                    ],
                    required: [
                        "id", "number", "name", "status", "email", "currency", "lines", "subtotal", "shipping", "tax", "total", "refundedTotal",
                        "shippingAddress",
                        "createdAt", "updatedAt", "discount", "totals", "taxLines", "discounts", "pricesIncludeTax", "fulfillmentStatus", "fulfillments",
                        "returns",
                    ])
            ),
            ("CancelInput", object([("reason", string)])),
        ] + customerSchemas + productInputSchemas
}
