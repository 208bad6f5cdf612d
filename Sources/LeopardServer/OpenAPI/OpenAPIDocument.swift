import LeopardCommerce

/// The OpenAPI 3.1 description of the JSON API, one per host kind: the platform's control plane
/// and a store's API. A test compares it with the routers, so a route cannot go undocumented.
enum OpenAPIDocument {
    enum Access: Sendable {
        case open, staff, owner, customer, staffOrCustomer, cart, operatorToken
    }

    struct Parameter: Sendable {
        let name: String
        let location: String
        let schema: JSONValue
        let required: Bool

        static func query(_ name: String, _ schema: JSONValue = OpenAPISchemas.string) -> Parameter {
            Parameter(name: name, location: "query", schema: schema, required: false)
        }

        static func header(_ name: String, required: Bool = false) -> Parameter {
            Parameter(name: name, location: "header", schema: OpenAPISchemas.string, required: required)
        }
    }

    struct Operation: Sendable {
        let method: String
        let path: String
        let summary: String
        let tag: String
        var access: Access = .open
        var body: String?
        var bodyRequired = true
        var status = 200
        var response: String?
        /// Also answers 200 with the same body (checkout of a cart already checked out).
        var alsoOK = false
        var parameters: [Parameter] = []
    }

    static let page: [Parameter] = [.query("limit", ["type": "integer", "minimum": 1, "maximum": 100]), .query("cursor")]

    static let storeOperations: [Operation] = coreStoreOperations + mailOperations + economicsOperations + staffOperations + reportOperations

    static let coreStoreOperations: [Operation] = [
        Operation(method: "get", path: "/api/store", summary: "The store this host serves", tag: "store", response: "StoreInfo"),
        Operation(method: "get", path: "/openapi.json", summary: "This document", tag: "store"),

        Operation(
            method: "post", path: "/api/auth/login", summary: "Staff sign-in: a bearer session token", tag: "staff", body: "Credentials",
            response: "StaffSession"),
        Operation(
            method: "post", path: "/api/auth/setup", summary: "Set a password with a one-time setup token (signup without a password, invitations)",
            tag: "staff",
            body: "SetupInput", response: "StaffSession"),
        Operation(method: "post", path: "/api/auth/logout", summary: "Revoke the current staff session", tag: "staff", access: .staff, status: 204),
        Operation(method: "get", path: "/api/auth/me", summary: "The signed-in staff member or API key", tag: "staff", access: .staff, response: "Me"),
        Operation(
            method: "post", path: "/api/api-keys", summary: "Create an API key (the secret is shown once)", tag: "staff", access: .owner, body: "ApiKeyInput",
            status: 201, response: "ApiKey"),
        Operation(method: "get", path: "/api/api-keys", summary: "List API keys", tag: "staff", access: .owner, response: "page:ApiKey", parameters: page),
        Operation(method: "delete", path: "/api/api-keys/{keyId}", summary: "Revoke an API key", tag: "staff", access: .owner, status: 204),
        Operation(
            method: "post", path: "/api/staff", summary: "Invite a staff member", tag: "staff", access: .owner, body: "StaffInvitation", status: 201,
            response: "StaffMember"),
        Operation(method: "get", path: "/api/staff", summary: "List staff", tag: "staff", access: .owner, response: "page:StaffMember", parameters: page),
        Operation(method: "delete", path: "/api/staff/{staffId}", summary: "Remove a staff member", tag: "staff", access: .owner, status: 204),

        Operation(method: "get", path: "/api/settings", summary: "Store settings", tag: "settings", access: .staff, response: "Settings"),
        Operation(
            method: "put", path: "/api/settings", summary: "Change store settings", tag: "settings", access: .staff, body: "SettingsInput", response: "Settings"
        ),
        Operation(
            method: "patch", path: "/api/settings", summary: "Change some store settings", tag: "settings", access: .staff, body: "SettingsInput",
            response: "Settings"),

        Operation(
            method: "get", path: "/api/products", summary: "List products (shoppers see active ones)", tag: "catalog", response: "page:Product",
            parameters: page + [
                .query("status"), .query("category"), .query("tag"), .query("price_min", OpenAPISchemas.integer),
                .query("price_max", OpenAPISchemas.integer), .query("in_stock", OpenAPISchemas.boolean),
                .query("sort", ["type": "string", "enum": ["newest", "price_asc", "price_desc", "title"]]), .query("q"),
            ]),
        Operation(
            method: "post", path: "/api/products", summary: "Create a product", tag: "catalog", access: .staff, body: "ProductInput", status: 201,
            response: "Product"),
        Operation(
            method: "get", path: "/api/products/export", summary: "All products as CSV, one row per variant", tag: "catalog", access: .staff, response: "csv"),
        Operation(
            method: "post", path: "/api/products/import", summary: "Create or replace products from CSV: every row checked, all or nothing", tag: "catalog",
            access: .staff, body: "csv", response: "ImportReport"),
        Operation(method: "get", path: "/api/products/{product}", summary: "A product by id or handle", tag: "catalog", response: "Product"),
        Operation(
            method: "put", path: "/api/products/{product}", summary: "Replace a product", tag: "catalog", access: .staff, body: "ProductInput",
            response: "Product"),
        Operation(
            method: "patch", path: "/api/products/{product}", summary: "Change some fields of a product", tag: "catalog", access: .staff, body: "ProductInput",
            response: "Product"),
        Operation(method: "delete", path: "/api/products/{product}", summary: "Delete a product", tag: "catalog", access: .staff, status: 204),
        Operation(
            method: "post", path: "/api/products/{product}/images", summary: "Add an image: multipart upload (field file, at most 10 MiB) or {url, alt}",
            tag: "catalog",
            access: .staff, body: "ImageInput", status: 201, response: "Product"),
        Operation(method: "delete", path: "/api/products/{product}/images/{imageId}", summary: "Remove an image", tag: "catalog", access: .staff, status: 204),
        Operation(
            method: "put", path: "/api/products/{product}/variants/{variantId}/image",
            summary: "Show one of the product's images for a variant (imageId null: none of its own)", tag: "catalog", access: .staff,
            body: "VariantImageInput", response: "Product"),
        Operation(method: "get", path: "/media/{file}", summary: "An uploaded image (cached for a year)", tag: "catalog", response: "binary"),
        Operation(
            method: "post", path: "/api/inventory/adjustments", summary: "Adjust a variant's stock", tag: "catalog", access: .staff,
            body: "InventoryAdjustmentInput", status: 201, response: "InventoryAdjustment"),
        Operation(
            method: "get", path: "/api/inventory/adjustments", summary: "Stock history, newest first", tag: "catalog", access: .staff,
            response: "page:InventoryAdjustment",
            parameters: page + [.query("variant_id")]),
        Operation(method: "get", path: "/api/categories", summary: "List categories", tag: "catalog", response: "page:Category", parameters: page),
        Operation(
            method: "post", path: "/api/categories", summary: "Create a category", tag: "catalog", access: .staff, body: "CategoryInput", status: 201,
            response: "Category"),
        Operation(method: "get", path: "/api/categories/{category}", summary: "A category by id or handle", tag: "catalog", response: "Category"),
        Operation(
            method: "get", path: "/api/categories/{category}/products", summary: "Products in a category", tag: "catalog", response: "page:Product",
            parameters: page),
        Operation(
            method: "put", path: "/api/categories/{category}", summary: "Replace a category", tag: "catalog", access: .staff, body: "CategoryInput",
            response: "Category"),
        Operation(
            method: "patch", path: "/api/categories/{category}", summary: "Change a category", tag: "catalog", access: .staff, body: "CategoryInput",
            response: "Category"),
        Operation(method: "delete", path: "/api/categories/{category}", summary: "Delete a category", tag: "catalog", access: .staff, status: 204),

        Operation(
            method: "post", path: "/api/carts", summary: "Create a cart (returns its secret)", tag: "cart", body: "CartCreate", bodyRequired: false,
            status: 201, response: "Cart"),
        Operation(method: "get", path: "/api/carts/{cartId}", summary: "A cart with live totals", tag: "cart", access: .cart, response: "Cart"),
        Operation(
            method: "post", path: "/api/carts/{cartId}/items", summary: "Add a variant to a cart", tag: "cart", access: .cart, body: "CartLineInput",
            response: "Cart"),
        Operation(
            method: "patch", path: "/api/carts/{cartId}/items/{itemId}", summary: "Change a line's quantity (0 removes it)", tag: "cart", access: .cart,
            body: "QuantityInput", response: "Cart"),
        Operation(method: "delete", path: "/api/carts/{cartId}/items/{itemId}", summary: "Remove a line", tag: "cart", access: .cart, response: "Cart"),
        Operation(
            method: "post", path: "/api/carts/{cartId}/checkout", summary: "Place the order (honours Idempotency-Key)", tag: "cart", access: .cart,
            body: "CheckoutInput", status: 201, response: "Order", alsoOK: true, parameters: [.header("Idempotency-Key")]),

        Operation(
            method: "get", path: "/api/orders", summary: "List orders, newest first", tag: "orders", access: .staff, response: "page:Order",
            parameters: page + [.query("status"), .query("customer_id"), .query("email")]),
        Operation(
            method: "get", path: "/api/orders/{orderId}", summary: "An order with its timeline (staff, its customer, or its cart's X-Cart-Secret)",
            tag: "orders",
            access: .staffOrCustomer, response: "Order", parameters: [.header("X-Cart-Secret")]),
        Operation(
            method: "post", path: "/api/orders/{orderId}/mark-paid", summary: "Mark a pending order paid (manual payment)", tag: "orders", access: .staff,
            response: "Order"),
        Operation(method: "post", path: "/api/orders/{orderId}/fulfill", summary: "Fulfil a paid order", tag: "orders", access: .staff, response: "Order"),
        Operation(
            method: "post", path: "/api/orders/{orderId}/cancel", summary: "Cancel a pending order and restock", tag: "orders", access: .staff,
            body: "CancelInput", bodyRequired: false, response: "Order"),

        Operation(
            method: "post", path: "/api/orders/{orderId}/pay",
            summary: "Pay a pending order: a test card, or a Stripe payment method (honours Idempotency-Key)", tag: "payments",
            access: .cart, body: "PayInput", status: 201, response: "Payment", parameters: [.header("Idempotency-Key")]),
        Operation(
            method: "post", path: "/api/payments/{paymentId}/authenticate", summary: "Complete the test provider's extra step", tag: "payments",
            access: .cart, status: 202, response: "Payment"),
        Operation(
            method: "get", path: "/api/orders/{orderId}/payments", summary: "An order's payments", tag: "payments", access: .staff, response: "page:Payment"),
        Operation(
            method: "post", path: "/api/orders/{orderId}/refunds", summary: "Refund part or all of what was captured", tag: "payments", access: .staff,
            body: "RefundInput", bodyRequired: false, status: 201, response: "Refund"),
        Operation(
            method: "post", path: "/webhooks/payments/{provider}", summary: "A payment provider's signed event (Stripe-Signature)", tag: "payments",
            body: "WebhookEvent", response: "WebhookReceipt", parameters: [.header("Stripe-Signature")]),
        Operation(
            method: "post", path: "/webhooks/payments/{provider}/{storeId}",
            summary: "The same events at the platform host, one address for every store (the store by its id)", tag: "payments",
            body: "WebhookEvent", response: "WebhookReceipt", parameters: [.header("Stripe-Signature")]),
        Operation(
            method: "get", path: "/api/payment-providers", summary: "The store's payment providers and which one takes cards", tag: "payments", access: .owner,
            response: "PaymentProviders"),
        Operation(
            method: "put", path: "/api/payment-providers/stripe", summary: "Set the store's Stripe keys (sealed at rest)", tag: "payments", access: .owner,
            body: "StripeKeysInput", response: "PaymentProvider"),
        Operation(
            method: "delete", path: "/api/payment-providers/stripe", summary: "Remove the store's Stripe keys", tag: "payments", access: .owner, status: 204),

        Operation(
            method: "post", path: "/api/webhooks", summary: "Add a webhook endpoint (the signing secret is shown once)", tag: "webhooks", access: .owner,
            body: "WebhookEndpointInput", status: 201, response: "WebhookEndpointCreated"),
        Operation(
            method: "get", path: "/api/webhooks", summary: "List webhook endpoints", tag: "webhooks", access: .owner, response: "page:WebhookEndpoint",
            parameters: page),
        Operation(
            method: "get", path: "/api/webhooks/{webhookId}", summary: "A webhook endpoint", tag: "webhooks", access: .owner, response: "WebhookEndpoint"),
        Operation(
            method: "delete", path: "/api/webhooks/{webhookId}", summary: "Delete a webhook endpoint and its pending deliveries", tag: "webhooks",
            access: .owner, status: 204),
        Operation(
            method: "get", path: "/api/webhooks/{webhookId}/deliveries", summary: "An endpoint's deliveries, newest first", tag: "webhooks", access: .owner,
            response: "page:WebhookDelivery", parameters: page + [.query("status", ["type": "string", "enum": ["pending", "succeeded", "failed"]])]),
        Operation(
            method: "post", path: "/api/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver", summary: "Send a delivery again now", tag: "webhooks",
            access: .owner, status: 202, response: "WebhookDelivery"),
        Operation(
            method: "post", path: "/api/customers/login", summary: "Customer sign-in", tag: "customers", body: "Credentials", response: "CustomerSession"),
        Operation(method: "post", path: "/api/customers/logout", summary: "Customer sign-out", tag: "customers", access: .customer, status: 204),
        Operation(method: "get", path: "/api/customers/me", summary: "The signed-in customer", tag: "customers", access: .customer, response: "Customer"),
        Operation(
            method: "get", path: "/api/customers/me/orders", summary: "The signed-in customer's orders", tag: "customers", access: .customer,
            response: "page:Order", parameters: page),
        Operation(
            method: "get", path: "/api/customers/me/addresses", summary: "Saved addresses", tag: "customers", access: .customer, response: "page:SavedAddress"),
        Operation(
            method: "post", path: "/api/customers/me/addresses", summary: "Save an address", tag: "customers", access: .customer, body: "AddressInput",
            status: 201, response: "SavedAddress"),
        Operation(
            method: "get", path: "/api/customers", summary: "List and search customers", tag: "customers", access: .staff, response: "page:Customer",
            parameters: page + [.query("q")]),
        Operation(
            method: "get", path: "/api/customers/{customerId}", summary: "A customer with tags, notes, addresses and orders (permission: customers)",
            tag: "customers", access: .staff, response: "CustomerRecord"),
        Operation(
            method: "patch", path: "/api/customers/{customerId}", summary: "Set a customer's tags, which discounts can name (permission: customers)",
            tag: "customers", access: .staff, body: "CustomerTagsInput", response: "CustomerRecord"),
        Operation(
            method: "post", path: "/api/customers/{customerId}/notes", summary: "Add an internal note; shoppers never see it (permission: customers)",
            tag: "customers", access: .staff, body: "NoteInput", status: 201, response: "CustomerNote"),
    ]

    static let platformOperations: [Operation] = [
        Operation(method: "get", path: "/healthz", summary: "The process answers", tag: "platform", response: "Health"),
        Operation(method: "get", path: "/readyz", summary: "The platform database answers", tag: "platform", response: "Health"),
        Operation(method: "get", path: "/openapi.json", summary: "This document", tag: "platform"),
        Operation(
            method: "get", path: "/metrics", summary: "Prometheus metrics, text format (the operator token, or a client on this machine)", tag: "platform",
            access: .operatorToken),
        Operation(method: "post", path: "/api/tenants", summary: "Sign up: create a store", tag: "tenants", body: "Signup", status: 201, response: "Tenant"),
        Operation(
            method: "get", path: "/api/tenants", summary: "List stores", tag: "tenants", access: .operatorToken, response: "page:Tenant",
            parameters: page + [.query("status")]),
        Operation(method: "get", path: "/api/tenants/{tenantId}", summary: "A store", tag: "tenants", access: .operatorToken, response: "Tenant"),
        Operation(
            method: "patch", path: "/api/tenants/{tenantId}",
            summary: "Serve the store from an instance of its own, started on demand and stopped when idle ({dedicated: true}), or from the shared instances",
            tag: "tenants", access: .operatorToken, body: "TenantUpdate", response: "Tenant"),
        Operation(
            method: "delete", path: "/api/tenants/{tenantId}", summary: "Soft delete, or purge with ?purge=true", tag: "tenants", access: .operatorToken,
            response: "Tenant", parameters: [.query("purge", OpenAPISchemas.boolean)]),
        Operation(
            method: "get", path: "/api/audit/isolation",
            summary:
                "Check that every store is kept apart: databases where the registry says, owners and connect rights, sessions refused by other stores (409 with the findings)",
            tag: "tenants", access: .operatorToken),
        Operation(
            method: "get", path: "/api/tenants/{tenantId}/metrics",
            summary:
                "A store's usage: requests (24 hours, 30 days), orders, revenue, products, customers, database and image bytes, last activity, estimated monthly cost",
            tag: "tenants", access: .operatorToken),
        Operation(
            method: "get", path: "/api/platform/reports",
            summary:
                "Signups, provisioning attempts and time, orders and GMV per currency by UTC day, week or month; stores by status, active in 30 days, largest; CSV with Accept: text/csv",
            tag: "platform", access: .operatorToken,
            parameters: [
                .query("from", ["type": "string", "format": "date"]), .query("to", ["type": "string", "format": "date"]),
                .query("interval", ["type": "string", "enum": ["day", "week", "month"]]),
            ]),
        Operation(
            method: "post", path: "/api/tenants/{tenantId}/suspend", summary: "Suspend a store", tag: "tenants", access: .operatorToken, response: "Tenant"),
        Operation(
            method: "post", path: "/api/tenants/{tenantId}/activate", summary: "Activate a suspended store", tag: "tenants", access: .operatorToken,
            response: "Tenant"),
        Operation(
            method: "post", path: "/api/tenants/{tenantId}/restore", summary: "Restore a deleted store", tag: "tenants", access: .operatorToken,
            response: "Tenant"),
        Operation(
            method: "post", path: "/api/tenants/{tenantId}/domains",
            summary: "Add a custom domain {hostname}: 201 with the TXT record to set (409 when another store has it)",
            tag: "domains", access: .operatorToken, status: 201),
        Operation(
            method: "get", path: "/api/tenants/{tenantId}/domains", summary: "A store's custom domains", tag: "domains", access: .operatorToken,
            parameters: page),
        Operation(
            method: "post", path: "/api/tenants/{tenantId}/domains/{hostname}/verify", summary: "Look the TXT record up; 200 verified, 422 not found yet",
            tag: "domains", access: .operatorToken),
        Operation(
            method: "delete", path: "/api/tenants/{tenantId}/domains/{hostname}", summary: "Remove a custom domain", tag: "domains", access: .operatorToken,
            status: 204),
        Operation(
            method: "get", path: "/internal/tls/ask", summary: "Caddy on_demand_tls ask: 200 only for a verified store domain", tag: "domains",
            parameters: [.query("domain")]),
    ]

    static func document(title: String, operations: [Operation]) -> JSONValue {
        var paths: [(String, [(String, JSONValue)])] = []
        for operation in operations {
            let entry = (operation.method, describe(operation))
            if let index = paths.firstIndex(where: { $0.0 == operation.path }) {
                paths[index].1.append(entry)
            } else {
                paths.append((operation.path, [entry]))
            }
        }
        var schemas = OpenAPISchemas.all
        schemas += OpenAPISchemas.operationSchemas + OpenAPISchemas.mailSchemas + OpenAPISchemas.economicsSchemas + OpenAPISchemas.staffSchemas
        schemas += OpenAPISchemas.reportSchemas
        return [
            "openapi": "3.1.0",
            "info": ["title": .string(title), "version": "1"],
            "paths": .object(paths.map { ($0.0, .object($0.1)) }),
            "components": [
                "schemas": .object(schemas),
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "Staff session (lps_…), API key (lpk_…) or customer session (lpc_…)"],
                    "cartSecret": ["type": "apiKey", "in": "header", "name": "X-Cart-Secret"],
                ],
            ],
        ]
    }

    static func describe(_ operation: Operation) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("summary", .string(operation.summary)), ("tags", [.string(operation.tag)])]
        var parameters = operation.parameters.map { parameter -> JSONValue in
            ["name": .string(parameter.name), "in": .string(parameter.location), "required": .bool(parameter.required), "schema": parameter.schema]
        }
        for name in pathParameters(operation.path) {
            parameters.append(["name": .string(name), "in": "path", "required": true, "schema": OpenAPISchemas.string])
        }
        if operation.access == .cart {
            parameters.append(["name": "X-Cart-Secret", "in": "header", "required": false, "schema": OpenAPISchemas.string])
        }
        if !parameters.isEmpty { pairs.append(("parameters", .array(parameters))) }
        switch operation.access {
        case .open, .cart: break
        case .staff, .owner, .customer, .staffOrCustomer, .operatorToken: pairs.append(("security", [["bearer": []]]))
        }
        if operation.body == "csv" {
            pairs.append(("requestBody", ["required": true, "content": ["text/csv": ["schema": OpenAPISchemas.string]]]))
        } else if let body = operation.body {
            var content: [(String, JSONValue)] = [("application/json", ["schema": OpenAPISchemas.ref(body)])]
            if body == "ImageInput" {
                content.append(
                    (
                        "multipart/form-data",
                        [
                            "schema": OpenAPISchemas.object(
                                [("file", ["type": "string", "contentMediaType": "application/octet-stream"]), ("alt", OpenAPISchemas.string)],
                                required: ["file"])
                        ]
                    ))
            }
            pairs.append(("requestBody", ["required": .bool(operation.bodyRequired), "content": .object(content)]))
        }
        var success: [(String, JSONValue)] = [("description", "Success")]
        if operation.response == "csv" {
            success.append(("content", ["text/csv": ["schema": OpenAPISchemas.string]]))
        } else if operation.response == "binary" {
            success.append(("content", ["image/*": ["schema": ["type": "string", "contentMediaType": "image/*"]]]))
        } else if let response = operation.response {
            let schema = response.hasPrefix("page:") ? OpenAPISchemas.page(of: String(response.dropFirst(5))) : OpenAPISchemas.ref(response)
            success.append(("content", ["application/json": ["schema": schema]]))
        } else if operation.status != 204 {
            success.append(("content", ["application/json": ["schema": ["type": "object"]]]))
        }
        var responses: [(String, JSONValue)] = [(String(operation.status), .object(success))]
        if operation.alsoOK { responses.append(("200", .object(success))) }
        responses.append(
            ("default", ["description": "A problem (RFC 9457)", "content": ["application/problem+json": ["schema": OpenAPISchemas.ref("Problem")]]]))
        pairs.append(("responses", .object(responses)))
        return .object(pairs)
    }

    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }
}
