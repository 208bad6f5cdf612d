import LeopardCommerce

/// The request and response schemas of the images, payments, webhook and cart operations.
extension OpenAPISchemas {
    static var operationSchemas: [(String, JSONValue)] { paymentSchemas + webhookSchemas }

    /// Images, setup, payments, providers and refunds.
    static var paymentSchemas: [(String, JSONValue)] {
        let o = OpenAPISchemas.self
        var schemas: [(String, JSONValue)] = []
        schemas.append(("ImageInput", o.object([("url", o.httpURL), ("alt", o.text(max: 512))], required: ["url"])))
        schemas.append(
            (
                "ImportReport",
                o.object([("created", o.integer), ("updated", o.integer)], required: ["created", "updated"])
            ))
        schemas.append(
            ("SetupInput", o.object([("token", o.text(max: 200)), ("password", o.password)], required: ["token", "password"])))
        schemas.append(
            (
                "PayInput",
                // Stripe takes a payment method made by Stripe.js; the test provider takes the card.
                // (Without `provider`, the store's own provider decides which it needs.)
                o.when(
                    ["properties": ["provider": ["const": "stripe"]], "required": ["provider"]], then: ["required": ["paymentMethod"]],
                    else: ["if": ["properties": ["provider": ["const": "test"]], "required": ["provider"]], "then": ["required": ["card"]]],
                    o.object([
                        ("provider", ["type": "string", "enum": ["test", "stripe"]]),
                        (
                            "card",
                            o.object(
                                [
                                    ("number", ["type": "string", "pattern": "^[0-9 -]{12,30}$"]),
                                    ("expMonth", ["type": "integer", "minimum": 1, "maximum": 12]),
                                    ("expYear", ["type": "integer", "minimum": 0, "maximum": 2100, "description": "2040, or 40"]),
                                    ("cvc", ["type": "string", "pattern": "^[0-9]{3,4}$"]),
                                ],
                                required: ["number", "expMonth", "expYear", "cvc"])
                        ),
                        (
                            "paymentMethod",
                            ["type": "string", "maxLength": 255, "pattern": "^(pm|card)_[A-Za-z0-9_]+$", "description": "Stripe payment method id (pm_…)"]
                        ),
                        ("returnUrl", o.absoluteURL),
                    ]))
            ))
        let providerView = o.object(
            [("provider", o.string), ("configured", o.boolean), ("secretKeyHint", o.string), ("publishableKey", o.string), ("updatedAt", o.timestamp)],
            required: ["provider", "configured"])
        schemas.append(("PaymentProvider", providerView))
        schemas.append(
            (
                "PaymentProviders",
                o.object(
                    [
                        ("data", o.array(o.ref("PaymentProvider"))), ("defaultProvider", o.string),
                        ("mode", ["type": "string", "enum": ["test", "live"]]),
                    ], required: ["data", "defaultProvider", "mode"])
            ))
        schemas.append(
            (
                "StripeKeysInput",
                o.object([("secretKey", o.string), ("webhookSecret", o.string), ("publishableKey", o.string)], required: ["secretKey", "webhookSecret"])
            ))
        schemas.append(
            (
                "RefundInput",
                // A return's refund restocks as its return said; `restock` is for refunds without one.
                o.when(
                    ["required": ["returnId"]], then: ["not": ["required": ["restock"]]],
                    requiringWith(
                        ["includeShipping": ["returnId"]],
                        o.object([
                            ("amount", ["type": "integer", "minimum": 1, "maximum": 1_000_000_000_000]),
                            ("restock", ["type": "boolean", "description": "Without returnId: put the refunded items back in stock"]),
                            ("returnId", o.string), ("includeShipping", ["type": "boolean", "description": "With returnId: refund the shipping too"]),
                        ])))
            ))
        schemas.append(("WebhookEvent", o.object([("id", o.string), ("type", o.string), ("data", ["type": "object"])], required: ["id", "type", "data"])))
        schemas.append(("WebhookReceipt", o.object([("received", o.boolean), ("changed", o.boolean)], required: ["received", "changed"])))
        schemas.append(
            (
                "Payment",
                o.object(
                    [
                        ("id", o.string), ("orderId", o.string), ("provider", o.string),
                        (
                            "status",
                            ["type": "string", "enum": ["requires_action", "authorized", "captured", "failed", "cancelled", "refunded", "partially_refunded"]]
                        ),
                        ("amount", o.ref("Money")), ("captured", o.ref("Money")), ("refunded", o.ref("Money")), ("cardBrand", o.string),
                        ("cardLast4", o.string),
                        ("nextAction", o.object([("type", o.string), ("url", o.string)])), ("failureMessage", o.string), ("createdAt", o.timestamp),
                        ("updatedAt", o.timestamp),
                    ], required: ["id", "orderId", "provider", "status", "amount", "captured", "refunded", "createdAt", "updatedAt"])
            ))
        schemas.append(
            (
                "Refund",
                o.object(
                    [("amount", o.ref("Money")), ("refundedTotal", o.ref("Money")), ("restocked", o.boolean), ("payment", o.ref("Payment"))],
                    required: ["amount", "refundedTotal", "restocked", "payment"])
            ))
        return schemas
    }

    /// Webhook endpoints and deliveries, and cart quantities.
    static var webhookSchemas: [(String, JSONValue)] {
        let o = OpenAPISchemas.self
        var schemas: [(String, JSONValue)] = []
        let topics: JSONValue = ["type": "string", "enum": .array(WebhookTopic.allCases.map { .string($0.rawValue) })]
        schemas.append(
            ("WebhookEndpointInput", o.object([("url", o.string), ("events", o.array(topics)), ("description", o.string)], required: ["url", "events"])))
        let endpoint = o.object(
            [("id", o.string), ("url", o.string), ("description", o.string), ("topics", o.array(topics)), ("createdAt", o.timestamp)],
            required: ["id", "url", "description", "topics", "createdAt"])
        schemas.append(("WebhookEndpoint", endpoint))
        schemas.append(("WebhookEndpointCreated", o.object([("endpoint", o.ref("WebhookEndpoint")), ("secret", o.string)], required: ["endpoint", "secret"])))
        schemas.append(
            (
                "WebhookDelivery",
                o.object(
                    [
                        ("id", o.string), ("endpointId", o.string), ("eventId", o.string), ("topic", o.string),
                        ("status", ["type": "string", "enum": ["pending", "succeeded", "failed"]]), ("attempts", o.integer), ("nextAttemptAt", o.timestamp),
                        ("lastStatusCode", o.integer), ("lastError", o.string), ("lastAttemptAt", o.timestamp), ("deliveredAt", o.timestamp),
                        ("createdAt", o.timestamp),
                    ], required: ["id", "endpointId", "eventId", "topic", "status", "attempts", "createdAt"])
            ))
        schemas.append(
            (
                "QuantityInput",
                o.object([("quantity", ["type": "integer", "minimum": 0, "maximum": 10_000, "description": "0 removes the line"])], required: ["quantity"])
            ))
        return schemas
    }
}
