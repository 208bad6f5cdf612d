import LeopardCommerce

extension OpenAPISchemas {
    /// Customers, their sessions and addresses, signup, tenants and health.
    static let customerSchemas: [(String, JSONValue)] = [
        (
            "Registration",
            object([("email", email), ("password", password), ("firstName", text(max: 100)), ("lastName", text(max: 100))], required: ["email", "password"])
        ),
        (
            "Customer",
            object(
                [
                    ("id", string), ("email", string), ("firstName", string), ("lastName", string), ("registered", boolean),
                    ("verified", boolean), ("createdAt", timestamp), ("updatedAt", timestamp),
                ], required: ["id", "email", "registered", "verified", "createdAt", "updatedAt"])
        ),
        (
            "CustomerSession",
            object([("customer", ref("Customer")), ("token", string), ("expiresAt", timestamp)], required: ["customer", "token", "expiresAt"])
        ),
        ("VariantImageInput", object([("imageId", nullable("string"))], required: ["imageId"])),
        (
            "CustomerRecord",
            object(
                [
                    ("id", string), ("email", string), ("firstName", string), ("lastName", string), ("registered", boolean),
                    ("verified", boolean), ("createdAt", timestamp), ("updatedAt", timestamp), ("tags", array(string)),
                    ("notes", array(ref("CustomerNote"))), ("addresses", array(ref("SavedAddress"))), ("orderCount", integer),
                    ("totalSpent", ref("Money")),
                    (
                        "recentOrders",
                        array(
                            object(
                                [("id", string), ("name", string), ("status", string), ("total", ref("Money")), ("createdAt", timestamp)],
                                required: ["id", "name", "status", "total", "createdAt"]))
                    ),
                ],
                required: [
                    "id", "email", "registered", "verified", "createdAt", "updatedAt", "tags", "notes", "addresses",
                ])
        ),
        (
            "CustomerNote",
            object([("id", string), ("text", string), ("actor", string), ("createdAt", timestamp)], required: ["id", "text", "actor", "createdAt"])
        ),
        (
            "CustomerTagsInput",
            object(
                [
                    (
                        "tags",
                        [
                            "type": "array", "maxItems": 20,
                            "items": customerTag,
                        ]
                    )
                ],
                required: ["tags"])
        ),
        ("AddressInput", object([("address", ref("Address")), ("isDefault", boolean)], required: ["address"])),
        (
            "SavedAddress",
            object(
                [("id", string), ("address", ref("Address")), ("isDefault", boolean), ("createdAt", timestamp)],
                required: ["id", "address", "isDefault", "createdAt"])
        ),
        (
            "Signup",
            object([("storeName", string), ("ownerEmail", string), ("ownerPassword", string), ("slug", string)], required: ["storeName", "ownerEmail"])
        ),
        (
            "Tenant",
            object(
                [
                    ("id", string), ("slug", string), ("storeName", string), ("ownerEmail", string), ("status", string),
                    ("createdAt", timestamp), ("dedicated", boolean), ("readOnly", boolean), ("urls", ["type": "object", "additionalProperties": string]),
                    ("setupToken", string),
                ], required: ["id", "slug", "storeName", "status", "createdAt"])
        ),
        ("TenantUpdate", object([("dedicated", boolean)], required: ["dedicated"])),
        (
            "Health",
            object(
                [
                    ("status", string),
                    (
                        "changeFeed",
                        [
                            "type": "string", "enum": ["listening", "starting", "down"],
                            "description": "Whether this instance hears registry changes as they happen (readyz)",
                        ]
                    ),
                    ("changeFeedDownSince", timestamp),
                ], required: ["status"])
        ),
    ]
}
