import LeopardCommerce

/// Staff roles and permissions, the audit log, and an order's shipments and returns. Every
/// staff route's summary names the permissions that open it.
extension OpenAPIDocument {
    static let staffOperations: [Operation] = [
        Operation(
            method: "get", path: "/api/roles", id: "listRoles", summary: "Staff roles (permission: staff)", tag: "staff", access: .staff, response: "page:Role",
            parameters: page
        ),
        Operation(
            method: "post", path: "/api/roles", id: "createRole", summary: "Add a role with permissions (owner only)", tag: "staff", access: .owner,
            body: "RoleInput",
            status: 201,
            response: "Role"),
        Operation(
            method: "get", path: "/api/roles/{roleId}", id: "getRole", summary: "A role (permission: staff)", tag: "staff", access: .staff, response: "Role"),
        Operation(
            method: "patch", path: "/api/roles/{roleId}", id: "updateRole", summary: "Rename a role or change its permissions (owner only)", tag: "staff",
            access: .owner,
            body: "RolePatch", response: "Role"),
        Operation(
            method: "delete", path: "/api/roles/{roleId}", id: "deleteRole", summary: "Delete a role nobody holds (owner only; 409 while someone does)",
            tag: "staff",
            access: .owner, status: 204),
        Operation(
            method: "patch", path: "/api/staff/{staffId}", id: "updateStaff",
            summary: "Give a staff member another role (permission: staff; only within your own permissions)",
            tag: "staff", access: .staff, body: "RoleAssignment", response: "StaffMember"),
        Operation(
            method: "get", path: "/api/audit-log", id: "listAuditLog", summary: "Who changed what, newest first (permission: staff)", tag: "staff",
            access: .staff,
            response: "page:AuditEntry", parameters: page + [.query("action")]),
        Operation(
            method: "post", path: "/api/orders/{orderId}/fulfillments", id: "createFulfillment",
            summary: "Ship some or all of a paid order's lines with tracking (permission: fulfillments)", tag: "orders", access: .staff,
            body: "FulfillmentInput", status: 201, response: "Order"),
        Operation(
            method: "post", path: "/api/orders/{orderId}/edits", id: "editOrder",
            summary:
                "Change quantities (0 removes) or add variants before anything ships; ?preview=true changes nothing. A paid order may only get cheaper (permission: orders)",
            tag: "orders", access: .staff, body: "OrderEditInput", response: "OrderEdit", parameters: [.query("preview", ["type": "boolean"])]),
        Operation(
            method: "post", path: "/api/orders/{orderId}/returns", id: "createReturn",
            summary: "Record shipped items coming back, optionally restocked; refund it with returnId (permission: orders)", tag: "orders",
            access: .staff, body: "ReturnInput", status: 201, response: "Order"),
        Operation(
            method: "get", path: "/api/orders/export", id: "exportOrders",
            summary: "Orders placed from one day to another (UTC, at most 366 days) as CSV, a row per line (permission: orders)",
            tag: "orders", access: .staff, response: "csv",
            parameters: [
                Parameter(name: "from", location: "query", schema: OpenAPISchemas.date, required: true),
                Parameter(name: "to", location: "query", schema: OpenAPISchemas.date, required: true),
            ]),
        Operation(
            method: "post", path: "/api/orders/{orderId}/notes", id: "addOrderNote",
            summary: "Add an internal note to the order's timeline; shoppers never see it (permission: orders or fulfillments)",
            tag: "orders", access: .staff, body: "NoteInput", status: 201, response: "OrderEvent"),
        Operation(
            method: "get", path: "/api/checkouts/abandoned", id: "listAbandonedCheckouts",
            summary: "Carts with an e-mail and items, no order, unchanged for `hours` (1–720, default 6), newest first (permission: orders)", tag: "orders",
            access: .staff, response: "page:Cart", parameters: page + [.query("hours", ["type": "integer", "minimum": 1, "maximum": 720])]),
        Operation(
            method: "post", path: "/api/draft-orders", id: "createDraftOrder", summary: "Build an order for a customer, priced as a cart (permission: orders)",
            tag: "orders",
            access: .staff, body: "DraftOrderInput", status: 201, response: "DraftOrder"),
        Operation(
            method: "get", path: "/api/draft-orders", id: "listDraftOrders", summary: "Draft orders, newest first (permission: orders)", tag: "orders",
            access: .staff,
            response: "page:DraftOrder", parameters: page),
        Operation(
            method: "get", path: "/api/draft-orders/{draftId}", id: "getDraftOrder", summary: "A draft order (permission: orders)", tag: "orders",
            access: .staff,
            response: "DraftOrder"),
        Operation(
            method: "post", path: "/api/draft-orders/{draftId}/complete", id: "completeDraftOrder",
            summary: "Turn a draft into an order; markPaid also needs the payments permission (permission: orders)", tag: "orders", access: .staff,
            body: "DraftCompletion", bodyRequired: false, status: 201, response: "Order"),
        Operation(
            method: "post", path: "/api/draft-orders/{draftId}/send-link", id: "sendDraftOrderLink",
            summary: "Mail the customer a link to review and pay the draft; their checkout completes it (permission: orders)", tag: "orders",
            access: .staff, response: "DraftOrder"),
        Operation(
            method: "post", path: "/api/checkouts/{cartId}/recovery-email", id: "sendRecoveryEmail",
            summary: "Mail an abandoned cart's shopper a link back to it, working once for 14 days (permission: orders)", tag: "orders",
            access: .staff, response: "Cart"),
        Operation(
            method: "post", path: "/api/carts/restore", id: "restoreCart",
            summary: "Follow a mailed cart link: the cart with a new secret (the old one stops working); 404 for a used or expired link",
            tag: "cart", access: .open, body: "CartLinkInput", response: "Cart"),
    ]
}

extension OpenAPISchemas {
    static var staffSchemas: [(String, JSONValue)] {
        let o = OpenAPISchemas.self
        let permission: JSONValue = ["type": "string", "enum": .array(StaffPermission.allCases.map { .string($0.rawValue) })]
        let lineInput = o.object(
            [("lineId", o.string), ("quantity", ["type": "integer", "minimum": 1, "maximum": 1_000_000])], required: ["lineId", "quantity"])
        let text: (Int) -> JSONValue = { ["type": "string", "maxLength": .int($0)] }
        let draftOrderInput = o.object(
            [
                ("email", o.email), ("customerId", o.string),
                ("lines", ["type": "array", "items": o.ref("CartLineInput"), "maxItems": 100]),
                (
                    "customLines",
                    [
                        "type": "array", "maxItems": 20,
                        "description": "Lines not in the catalog; lines and customLines together name at least one.",
                        "items": o.object(
                            [
                                ("title", o.plainName(max: 255)), ("unitPrice", o.ref("MoneyInput")),
                                ("quantity", ["type": "integer", "minimum": 1, "maximum": 10000]),
                                ("taxClass", ["type": "string", "enum": ["standard", "reduced", "exempt"]]),
                                ("weightGrams", ["type": "integer", "minimum": 0, "maximum": 1_000_000_000]),
                            ], required: ["title", "unitPrice", "quantity"]),
                    ]
                ),
                ("shippingAddress", o.ref("Address")), ("billingAddress", o.ref("Address")), ("discountCode", o.string),
                ("shippingMethodId", o.string), ("note", text(1000)),
            ], required: ["email", "lines", "shippingAddress"])
        return [
            ("Permission", permission),
            (
                "OrderEditInput",
                o.object([
                    (
                        "lines",
                        [
                            "type": "array", "maxItems": 100,
                            "items": o.object(
                                [("lineId", o.string), ("quantity", ["type": "integer", "minimum": 0, "maximum": 10000])], required: ["lineId", "quantity"]),
                        ]
                    ),
                    (
                        "add",
                        [
                            "type": "array", "maxItems": 100,
                            "items": o.object(
                                [("variantId", o.string), ("quantity", ["type": "integer", "minimum": 1, "maximum": 10000])],
                                required: ["variantId", "quantity"]),
                        ]
                    ),
                ])
            ),
            (
                "OrderEdit",
                o.object(
                    [
                        ("order", o.ref("Order")), ("previousTotal", o.ref("Money")), ("difference", o.ref("Money")), ("refundDue", o.ref("Money")),
                        ("saved", o.boolean),
                    ],
                    required: ["order", "previousTotal", "difference", "saved"])
            ),
            ("CartLinkInput", o.object([("token", ["type": "string", "minLength": 1, "maxLength": 200])], required: ["token"])),
            ("NoteInput", o.object([("text", ["type": "string", "minLength": 1, "maxLength": 2000])], required: ["text"])),
            (
                "DraftOrderInput",
                o.when(
                    ["properties": ["lines": ["maxItems": 0]]], then: ["required": ["customLines"], "properties": ["customLines": ["minItems": 1]]],
                    draftOrderInput)
            ),

            (
                "DraftOrder",
                o.object(
                    [
                        ("id", o.string), ("status", ["type": "string", "enum": ["open", "completed"]]), ("email", o.string),
                        ("customerId", o.nullable("string")), ("note", o.string), ("cart", o.ref("Cart")), ("orderId", o.nullable("string")),
                        ("createdBy", o.string), ("createdAt", o.timestamp),
                    ], required: ["id", "status", "email", "note", "cart", "createdBy", "createdAt"])
            ),
            (
                "DraftCompletion",
                o.object([("paymentMethod", ["type": "string", "enum": ["card", "bank_transfer", "cash_on_delivery"]]), ("markPaid", o.boolean)])
            ),
            (
                "Role",
                o.object(
                    [
                        ("id", o.string), ("name", o.string), ("permissions", o.array(o.ref("Permission"))), ("createdAt", o.timestamp),
                        ("updatedAt", o.timestamp),
                    ],
                    required: ["id", "name", "permissions", "createdAt", "updatedAt"])
            ),
            ("RoleInput", o.object([("name", o.name(max: 60)), ("permissions", o.array(o.ref("Permission")))], required: ["name", "permissions"])),
            ("RoleAssignment", o.object([("roleId", o.string)], required: ["roleId"])),
            (
                "AuditEntry",
                o.object(
                    [
                        ("id", o.string), ("actor", o.string), ("action", o.string), ("subject", o.nullable("string")), ("summary", o.string),
                        ("createdAt", o.timestamp),
                    ], required: ["id", "actor", "action", "summary", "createdAt"])
            ),
            (
                "FulfillmentInput",
                o.object([
                    ("lines", ["type": "array", "items": lineInput, "minItems": 1, "maxItems": 250]), ("carrier", text(100)), ("trackingNumber", text(100)),
                    ("trackingUrl", ["type": "string", "format": "uri", "maxLength": 2000]),
                ])
            ),
            (
                "Fulfillment",
                o.object(
                    [
                        ("id", o.string), ("lines", o.array(lineInput)), ("carrier", o.nullable("string")), ("trackingNumber", o.nullable("string")),
                        ("trackingUrl", o.nullable("string")), ("createdBy", o.string), ("createdAt", o.timestamp),
                    ], required: ["id", "lines", "createdBy", "createdAt"])
            ),
            (
                "ReturnInput",
                o.object(
                    [("lines", ["type": "array", "items": lineInput, "minItems": 1, "maxItems": 250]), ("restock", o.boolean), ("reason", text(500))],
                    required: ["lines"])
            ),
            (
                "OrderReturn",
                o.object(
                    [
                        ("id", o.string),
                        (
                            "lines",
                            o.array(
                                o.object([("lineId", o.string), ("quantity", o.integer), ("amount", o.integer)], required: ["lineId", "quantity", "amount"]))
                        ),
                        ("reason", o.string), ("restock", o.boolean), ("amount", o.ref("Money")), ("refundedAmount", o.ref("Money")), ("createdBy", o.string),
                        ("createdAt", o.timestamp),
                    ], required: ["id", "lines", "reason", "restock", "amount", "refundedAmount", "createdBy", "createdAt"])
            ),
        ]
    }
}
