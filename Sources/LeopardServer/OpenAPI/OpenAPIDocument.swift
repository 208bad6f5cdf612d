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

        static let idempotencyKey = Parameter(name: "Idempotency-Key", location: "header", schema: OpenAPISchemas.idempotencyKey, required: false)

        static func header(_ name: String, required: Bool = false) -> Parameter {
            Parameter(name: name, location: "header", schema: OpenAPISchemas.string, required: required)
        }
    }

    struct Operation: Sendable {
        let method: String
        let path: String
        /// The name a generated client gives the call (`client.checkout(…)`): unique per document.
        let id: String
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

    static let page: [Parameter] = [.query("limit", ["type": "integer", "minimum": 1, "maximum": 100]), .query("cursor", OpenAPISchemas.cursor)]

    static let storeOperations: [Operation] = coreStoreOperations + mailOperations + economicsOperations + staffOperations + reportOperations

    static let coreStoreOperations: [Operation] = [
        Operation(method: "get", path: "/api/store", id: "getStore", summary: "The store this host serves", tag: "store", response: "StoreInfo"),
        Operation(method: "get", path: "/openapi.json", id: "getOpenAPIDocument", summary: "This document", tag: "store"),

        Operation(
            method: "post", path: "/api/auth/login", id: "staffLogin", summary: "Staff sign-in: a bearer session token", tag: "staff", body: "Credentials",
            response: "StaffSession"),
        Operation(
            method: "post", path: "/api/auth/setup", id: "setupStaffPassword",
            summary: "Set a password with a one-time setup token (signup without a password, invitations)",
            tag: "staff",
            body: "SetupInput", response: "StaffSession"),
        Operation(
            method: "post", path: "/api/auth/logout", id: "staffLogout", summary: "Revoke the current staff session", tag: "staff", access: .staff, status: 204),
        Operation(
            method: "get", path: "/api/auth/me", id: "getStaffMe", summary: "The signed-in staff member or API key", tag: "staff", access: .staff,
            response: "Me"),
        Operation(
            method: "post", path: "/api/api-keys", id: "createApiKey", summary: "Create an API key (the secret is shown once)", tag: "staff", access: .staff,
            body: "ApiKeyInput",
            status: 201, response: "ApiKey"),
        Operation(
            method: "get", path: "/api/api-keys", id: "listApiKeys", summary: "List API keys", tag: "staff", access: .staff, response: "page:ApiKey",
            parameters: page),
        Operation(method: "delete", path: "/api/api-keys/{keyId}", id: "revokeApiKey", summary: "Revoke an API key", tag: "staff", access: .staff, status: 204),
        Operation(
            method: "post", path: "/api/staff", id: "inviteStaff", summary: "Invite a staff member", tag: "staff", access: .staff, body: "StaffInvitation",
            status: 201,
            response: "StaffMember"),
        Operation(
            method: "get", path: "/api/staff", id: "listStaff", summary: "List staff", tag: "staff", access: .staff, response: "page:StaffMember",
            parameters: page),
        Operation(
            method: "delete", path: "/api/staff/{staffId}", id: "removeStaff", summary: "Remove a staff member", tag: "staff", access: .staff, status: 204),

        Operation(method: "get", path: "/api/settings", id: "getSettings", summary: "Store settings", tag: "settings", access: .staff, response: "Settings"),
        Operation(
            method: "put", path: "/api/settings", id: "replaceSettings", summary: "Change store settings", tag: "settings", access: .staff,
            body: "SettingsInput", response: "Settings"
        ),
        Operation(
            method: "patch", path: "/api/settings", id: "updateSettings", summary: "Change some store settings", tag: "settings", access: .staff,
            body: "SettingsInput",
            response: "Settings"),

        Operation(
            method: "get", path: "/api/products", id: "listProducts", summary: "List products (shoppers see active ones)", tag: "catalog",
            response: "page:Product",
            parameters: page + [
                .query("status", ["type": "string", "enum": ["draft", "active", "archived"]]), .query("category"), .query("tag"),
                .query("price_min", ["type": "integer", "minimum": 0, "maximum": 1_000_000_000_000]),
                .query("price_max", ["type": "integer", "minimum": 0, "maximum": 1_000_000_000_000]), .query("in_stock", OpenAPISchemas.boolean),
                .query("sort", ["type": "string", "enum": ["newest", "price_asc", "price_desc", "title"]]), .query("q"),
            ]),
        Operation(
            method: "post", path: "/api/products", id: "createProduct", summary: "Create a product", tag: "catalog", access: .staff, body: "ProductCreate",
            status: 201,
            response: "Product"),
        Operation(
            method: "get", path: "/api/products/export", id: "exportProducts", summary: "All products as CSV, one row per variant", tag: "catalog",
            access: .staff, response: "csv"),
        Operation(
            method: "post", path: "/api/products/import", id: "importProducts",
            summary: "Create or replace products from CSV: every row checked, all or nothing", tag: "catalog",
            access: .staff, body: "csv", response: "ImportReport"),
        Operation(method: "get", path: "/api/products/{product}", id: "getProduct", summary: "A product by id or handle", tag: "catalog", response: "Product"),
        Operation(
            method: "put", path: "/api/products/{product}", id: "replaceProduct", summary: "Replace a product", tag: "catalog", access: .staff,
            body: "ProductInput",
            response: "Product"),
        Operation(
            method: "patch", path: "/api/products/{product}", id: "updateProduct", summary: "Change some fields of a product", tag: "catalog", access: .staff,
            body: "ProductPatch",
            response: "Product"),
        Operation(
            method: "delete", path: "/api/products/{product}", id: "deleteProduct", summary: "Delete a product", tag: "catalog", access: .staff, status: 204),
        Operation(
            method: "post", path: "/api/products/{product}/images", id: "addProductImage",
            summary: "Add an image: multipart upload (field file, at most 10 MiB) or {url, alt}",
            tag: "catalog",
            access: .staff, body: "ImageInput", status: 201, response: "Product"),
        Operation(
            method: "delete", path: "/api/products/{product}/images/{imageId}", id: "removeProductImage", summary: "Remove an image", tag: "catalog",
            access: .staff, status: 204),
        Operation(
            method: "put", path: "/api/products/{product}/variants/{variantId}/image", id: "setVariantImage",
            summary: "Show one of the product's images for a variant (imageId null: none of its own)", tag: "catalog", access: .staff,
            body: "VariantImageInput", response: "Product"),
        Operation(method: "get", path: "/media/{file}", id: "getMedia", summary: "An uploaded image (cached for a year)", tag: "catalog", response: "binary"),
        Operation(
            method: "post", path: "/api/inventory/adjustments", id: "adjustInventory", summary: "Adjust a variant's stock", tag: "catalog", access: .staff,
            body: "InventoryAdjustmentInput", status: 201, response: "InventoryAdjustment"),
        Operation(
            method: "get", path: "/api/inventory/adjustments", id: "listInventoryAdjustments", summary: "Stock history, newest first", tag: "catalog",
            access: .staff,
            response: "page:InventoryAdjustment",
            parameters: page + [.query("variant_id")]),
        Operation(
            method: "get", path: "/api/categories", id: "listCategories", summary: "List categories", tag: "catalog", response: "page:Category",
            parameters: page),
        Operation(
            method: "post", path: "/api/categories", id: "createCategory", summary: "Create a category", tag: "catalog", access: .staff, body: "CategoryInput",
            status: 201,
            response: "Category"),
        Operation(
            method: "get", path: "/api/categories/{category}", id: "getCategory", summary: "A category by id or handle", tag: "catalog", response: "Category"),
        Operation(
            method: "get", path: "/api/categories/{category}/products", id: "listCategoryProducts", summary: "Products in a category", tag: "catalog",
            response: "page:Product",
            parameters: page),
        Operation(
            method: "put", path: "/api/categories/{category}", id: "replaceCategory", summary: "Replace a category", tag: "catalog", access: .staff,
            body: "CategoryInput",
            response: "Category"),
        Operation(
            method: "patch", path: "/api/categories/{category}", id: "updateCategory", summary: "Change a category", tag: "catalog", access: .staff,
            body: "CategoryPatch",
            response: "Category"),
        Operation(
            method: "delete", path: "/api/categories/{category}", id: "deleteCategory", summary: "Delete a category", tag: "catalog", access: .staff,
            status: 204),

        Operation(
            method: "post", path: "/api/carts", id: "createCart", summary: "Create a cart (returns its secret)", tag: "cart", body: "CartCreate",
            bodyRequired: false,
            status: 201, response: "Cart"),
        Operation(method: "get", path: "/api/carts/{cartId}", id: "getCart", summary: "A cart with live totals", tag: "cart", access: .cart, response: "Cart"),
        Operation(
            method: "post", path: "/api/carts/{cartId}/items", id: "addCartItem", summary: "Add a variant to a cart", tag: "cart", access: .cart,
            body: "CartLineInput",
            response: "Cart"),
        Operation(
            method: "patch", path: "/api/carts/{cartId}/items/{itemId}", id: "updateCartItem", summary: "Change a line's quantity (0 removes it)", tag: "cart",
            access: .cart,
            body: "QuantityInput", response: "Cart"),
        Operation(
            method: "delete", path: "/api/carts/{cartId}/items/{itemId}", id: "removeCartItem", summary: "Remove a line", tag: "cart", access: .cart,
            response: "Cart"),
        Operation(
            method: "post", path: "/api/carts/{cartId}/checkout", id: "checkout", summary: "Place the order (honours Idempotency-Key)", tag: "cart",
            access: .cart,
            body: "CheckoutInput", status: 201, response: "Order", alsoOK: true, parameters: [.idempotencyKey]),

        Operation(
            method: "get", path: "/api/orders", id: "listOrders", summary: "List orders, newest first", tag: "orders", access: .staff, response: "page:Order",
            parameters: page + [
                .query("status", ["type": "string", "enum": .array(OrderStatus.allCases.map { .string($0.rawValue) })]), .query("customer_id"),
                .query("email"),
            ]),
        Operation(
            method: "get", path: "/api/orders/{orderId}", id: "getOrder",
            summary: "An order with its timeline (staff, its customer, or its cart's X-Cart-Secret)",
            tag: "orders",
            access: .staffOrCustomer, response: "Order", parameters: [.header("X-Cart-Secret")]),
        Operation(
            method: "post", path: "/api/orders/{orderId}/mark-paid", id: "markOrderPaid", summary: "Mark a pending order paid (manual payment)", tag: "orders",
            access: .staff,
            response: "Order"),
        Operation(
            method: "post", path: "/api/orders/{orderId}/fulfill", id: "fulfillOrder", summary: "Fulfil a paid order", tag: "orders", access: .staff,
            response: "Order"),
        Operation(
            method: "post", path: "/api/orders/{orderId}/cancel", id: "cancelOrder", summary: "Cancel a pending order and restock", tag: "orders",
            access: .staff,
            body: "CancelInput", bodyRequired: false, response: "Order"),

        Operation(
            method: "post", path: "/api/orders/{orderId}/pay", id: "payOrder",
            summary: "Pay a pending order: a test card, or a Stripe payment method (honours Idempotency-Key)", tag: "payments",
            access: .cart, body: "PayInput", status: 201, response: "Payment", parameters: [.idempotencyKey]),
        Operation(
            method: "post", path: "/api/payments/{paymentId}/authenticate", id: "authenticatePayment", summary: "Complete the test provider's extra step",
            tag: "payments",
            access: .cart, status: 202, response: "Payment"),
        Operation(
            method: "get", path: "/api/orders/{orderId}/payments", id: "listOrderPayments", summary: "An order's payments", tag: "payments", access: .staff,
            response: "page:Payment"),
        Operation(
            method: "post", path: "/api/orders/{orderId}/refunds", id: "refundOrder", summary: "Refund part or all of what was captured", tag: "payments",
            access: .staff,
            body: "RefundInput", bodyRequired: false, status: 201, response: "Refund"),
        Operation(
            method: "post", path: "/webhooks/payments/{provider}", id: "receivePaymentEvent", summary: "A payment provider's signed event (Stripe-Signature)",
            tag: "payments",
            body: "WebhookEvent", response: "WebhookReceipt", parameters: [.header("Stripe-Signature")]),
        Operation(
            method: "post", path: "/webhooks/payments/{provider}/{storeId}", id: "receivePlatformPaymentEvent",
            summary: "The same events at the platform host, one address for every store (the store by its id)", tag: "payments",
            body: "WebhookEvent", response: "WebhookReceipt", parameters: [.header("Stripe-Signature")]),
        Operation(
            method: "get", path: "/api/payment-providers", id: "listPaymentProviders", summary: "The store's payment providers and which one takes cards",
            tag: "payments", access: .staff,
            response: "PaymentProviders"),
        Operation(
            method: "put", path: "/api/payment-providers/stripe", id: "setStripeKeys", summary: "Set the store's Stripe keys (sealed at rest)", tag: "payments",
            access: .owner,
            body: "StripeKeysInput", response: "PaymentProvider"),
        Operation(
            method: "delete", path: "/api/payment-providers/stripe", id: "removeStripeKeys", summary: "Remove the store's Stripe keys", tag: "payments",
            access: .owner, status: 204),

        Operation(
            method: "post", path: "/api/webhooks", id: "createWebhook", summary: "Add a webhook endpoint (the signing secret is shown once)", tag: "webhooks",
            access: .staff,
            body: "WebhookEndpointInput", status: 201, response: "WebhookEndpointCreated"),
        Operation(
            method: "get", path: "/api/webhooks", id: "listWebhooks", summary: "List webhook endpoints", tag: "webhooks", access: .staff,
            response: "page:WebhookEndpoint",
            parameters: page),
        Operation(
            method: "get", path: "/api/webhooks/{webhookId}", id: "getWebhook", summary: "A webhook endpoint", tag: "webhooks", access: .staff,
            response: "WebhookEndpoint"),
        Operation(
            method: "delete", path: "/api/webhooks/{webhookId}", id: "deleteWebhook", summary: "Delete a webhook endpoint and its pending deliveries",
            tag: "webhooks",
            access: .staff, status: 204),
        Operation(
            method: "get", path: "/api/webhooks/{webhookId}/deliveries", id: "listWebhookDeliveries", summary: "An endpoint's deliveries, newest first",
            tag: "webhooks", access: .staff,
            response: "page:WebhookDelivery", parameters: page + [.query("status", ["type": "string", "enum": ["pending", "succeeded", "failed"]])]),
        Operation(
            method: "post", path: "/api/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver", id: "redeliverWebhook", summary: "Send a delivery again now",
            tag: "webhooks",
            access: .staff, status: 202, response: "WebhookDelivery"),
        Operation(
            method: "post", path: "/api/customers/login", id: "customerLogin", summary: "Customer sign-in", tag: "customers", body: "Credentials",
            response: "CustomerSession"),
        Operation(
            method: "post", path: "/api/customers/logout", id: "customerLogout", summary: "Customer sign-out", tag: "customers", access: .customer, status: 204),
        Operation(
            method: "get", path: "/api/customers/me", id: "getCustomerMe", summary: "The signed-in customer", tag: "customers", access: .customer,
            response: "Customer"),
        Operation(
            method: "get", path: "/api/customers/me/orders", id: "listMyOrders", summary: "The signed-in customer's orders", tag: "customers",
            access: .customer,
            response: "page:Order", parameters: page),
        Operation(
            method: "get", path: "/api/customers/me/addresses", id: "listMyAddresses", summary: "Saved addresses", tag: "customers", access: .customer,
            response: "page:SavedAddress"),
        Operation(
            method: "post", path: "/api/customers/me/addresses", id: "createMyAddress", summary: "Save an address", tag: "customers", access: .customer,
            body: "AddressInput",
            status: 201, response: "SavedAddress"),
        Operation(
            method: "get", path: "/api/customers", id: "listCustomers", summary: "List and search customers", tag: "customers", access: .staff,
            response: "page:Customer",
            parameters: page + [.query("q")]),
        Operation(
            method: "get", path: "/api/customers/{customerId}", id: "getCustomer",
            summary: "A customer with tags, notes, addresses and orders (permission: customers)",
            tag: "customers", access: .staff, response: "CustomerRecord"),
        Operation(
            method: "patch", path: "/api/customers/{customerId}", id: "updateCustomerTags",
            summary: "Set a customer's tags, which discounts can name (permission: customers)",
            tag: "customers", access: .staff, body: "CustomerTagsInput", response: "CustomerRecord"),
        Operation(
            method: "post", path: "/api/customers/{customerId}/notes", id: "addCustomerNote",
            summary: "Add an internal note; shoppers never see it (permission: customers)",
            tag: "customers", access: .staff, body: "NoteInput", status: 201, response: "CustomerNote"),
    ]

    static func document(title: String, operations: [Operation]) -> JSONValue {
        var paths: [(String, [(String, JSONValue)])] = []
        for operation in operations {
            let entry = (operation.method, describe(operation, links: links(for: operation, among: operations)))
            if let index = paths.firstIndex(where: { $0.0 == operation.path }) {
                paths[index].1.append(entry)
            } else {
                paths.append((operation.path, [entry]))
            }
        }
        var schemas = OpenAPISchemas.all
        schemas += OpenAPISchemas.operationSchemas + OpenAPISchemas.mailSchemas + OpenAPISchemas.economicsSchemas + OpenAPISchemas.staffSchemas
        schemas += OpenAPISchemas.reportSchemas + OpenAPISchemas.derivedInputs + OpenAPISchemas.codeSchemas
        let pathsValue = JSONValue.object(paths.map { ($0.0, .object($0.1)) })
        schemas = published(schemas, for: pathsValue)
        return [
            "openapi": "3.1.0",
            "info": ["title": .string(title), "version": "1"],
            "paths": pathsValue,
            "components": [
                "schemas": .object(schemas),
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "Staff session (lps_…), API key (lpk_…) or customer session (lpc_…)"],
                    "cartSecret": ["type": "apiKey", "in": "header", "name": "X-Cart-Secret"],
                ],
            ],
        ]
    }

    static func describe(_ operation: Operation, links: JSONValue? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("operationId", .string(operation.id)), ("summary", .string(operation.summary)), ("tags", [.string(operation.tag)]),
        ]
        var parameters = operation.parameters.map { parameter -> JSONValue in
            ["name": .string(parameter.name), "in": .string(parameter.location), "required": .bool(parameter.required), "schema": parameter.schema]
        }
        for name in pathParameters(operation.path) {
            parameters.append(["name": .string(name), "in": "path", "required": true, "schema": pathParameterSchemas[name] ?? OpenAPISchemas.string])
        }
        if operation.access == .cart {
            parameters.append(["name": "X-Cart-Secret", "in": "header", "required": false, "schema": OpenAPISchemas.string])
        }
        if !parameters.isEmpty { pairs.append(("parameters", .array(parameters))) }
        // Who may call it: the fuzzing scripts pick each identity's operations by it.
        pairs.append(("x-leopard-access", .string(String(describing: operation.access))))
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
        if let links { success.append(("links", links)) }
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
