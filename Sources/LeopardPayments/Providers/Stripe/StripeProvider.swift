import AsyncHTTPClient
import Foundation
import LeopardCore
import NIOCore
import NIOHTTP1

/// Stripe's REST API over async-http-client: PaymentIntents created and confirmed in one call
/// (automatic capture), captured, cancelled and refunded, every write with an
/// `Idempotency-Key`; webhooks verified with the store's endpoint secret.
public struct StripeProvider: PaymentProvider {
    public static let providerName = "stripe"
    public static let apiVersion = "2024-06-20"

    public var name: String { Self.providerName }
    let secretKey: String
    let webhookSecret: String
    let baseURL: String
    let client: HTTPClient
    /// Authorize only (`capture_method=manual`): the order's fulfilment captures.
    let manualCapture: Bool

    public init(secretKey: String, webhookSecret: String, baseURL: String = "https://api.stripe.com", client: HTTPClient, manualCapture: Bool = false) {
        self.manualCapture = manualCapture
        self.secretKey = secretKey
        self.webhookSecret = webhookSecret
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
    }

    public func start(_ request: PaymentRequest) async throws -> ProviderPayment {
        guard case .providerMethod(let method) = request.method else {
            throw Problem.invalid("paymentMethod", "is required: Stripe takes a payment method id (pm_…) made by Stripe.js")
        }
        // Card only (`payment_method_types[]`, not `automatic_payment_methods`): an extra step
        // is then Stripe.js's 3-D Secure in the page (`use_stripe_sdk`), and no `return_url` is
        // needed unless the caller gives one. localstripe takes exactly this shape too.
        var form = StripeForm()
        form.add("amount", String(request.amount.amount))
        form.add("currency", request.amount.currency.lowercased())
        form.add("payment_method", method)
        form.add("payment_method_types[]", "card")
        form.add("confirm", "true")
        if manualCapture { form.add("capture_method", "manual") }
        form.add("metadata[order_id]", request.orderID)
        form.add("expand[]", "payment_method")
        if let returnURL = request.returnURL { form.add("return_url", returnURL) }
        let (status, body) = try await post("/v1/payment_intents", form: form, idempotencyKey: request.idempotencyKey)
        if (200..<300).contains(status) {
            return try Self.payment(from: Self.decode(StripeObjects.PaymentIntent.self, body))
        }
        // A declined card is an answer, not a failure: the intent comes back inside the error
        // (Stripe's `card_error`; localstripe says `card_declined` with another type).
        if status == 402, let error = try? JSONDecoder().decode(StripeObjects.ErrorBody.self, from: body),
            error.error.type == "card_error" || error.error.code == "card_declined"
        {
            let message = error.error.message ?? "The card was declined."
            if let intent = error.error.payment_intent {
                var payment = Self.payment(from: intent)
                payment.status = .failed
                payment.failureMessage = message
                return payment
            }
            return ProviderPayment(reference: "pi_declined_" + request.idempotencyKey, status: .failed, failureMessage: message)
        }
        throw failure(status: status, body: body)
    }

    /// The intent as Stripe has it now (the shopper's return from an extra step).
    public func retrieve(reference: String) async throws -> ProviderPayment {
        let (status, body) = try await send(.GET, "/v1/payment_intents/\(StripeForm.escape(reference))", form: nil, idempotencyKey: nil)
        guard (200..<300).contains(status) else { throw failure(status: status, body: body) }
        return try Self.payment(from: Self.decode(StripeObjects.PaymentIntent.self, body))
    }

    public func capture(reference: String, amount: Money, idempotencyKey: String) async throws -> ProviderPayment {
        var form = StripeForm()
        form.add("amount_to_capture", String(amount.amount))
        let (status, body) = try await post("/v1/payment_intents/\(StripeForm.escape(reference))/capture", form: form, idempotencyKey: idempotencyKey)
        guard (200..<300).contains(status) else { throw failure(status: status, body: body) }
        return try Self.payment(from: Self.decode(StripeObjects.PaymentIntent.self, body))
    }

    public func refund(reference: String, amount: Money, idempotencyKey: String) async throws -> ProviderRefund {
        var form = StripeForm()
        form.add("payment_intent", reference)
        form.add("amount", String(amount.amount))
        let (status, body) = try await post("/v1/refunds", form: form, idempotencyKey: idempotencyKey)
        guard (200..<300).contains(status) else { throw failure(status: status, body: body) }
        let refund = try Self.decode(StripeObjects.Refund.self, body)
        return ProviderRefund(reference: refund.id, status: refund.status ?? "pending")
    }

    public func cancel(reference: String, idempotencyKey: String) async throws -> ProviderPayment {
        let (status, body) = try await post("/v1/payment_intents/\(StripeForm.escape(reference))/cancel", form: StripeForm(), idempotencyKey: idempotencyKey)
        guard (200..<300).contains(status) else { throw failure(status: status, body: body) }
        return try Self.payment(from: Self.decode(StripeObjects.PaymentIntent.self, body))
    }

    public func event(from body: Data, signature: String?, now: Date) throws -> PaymentEvent? {
        try verifiedStripeEvent(body, signature: signature, secret: webhookSecret, now: now)
    }

    // MARK: Mapping

    /// Stripe's intent statuses as payment states.
    static func payment(from intent: StripeObjects.PaymentIntent) -> ProviderPayment {
        let card = intent.payment_method?.object?.card
        var payment = ProviderPayment(
            reference: intent.id, status: .authorized, cardBrand: card?.brand, cardLast4: card?.last4, clientSecret: intent.client_secret)
        switch intent.status {
        case "succeeded": payment.status = .captured
        case "requires_capture", "processing": payment.status = .authorized
        case "requires_action", "requires_confirmation":
            payment.status = .requiresAction
            payment.nextActionURL = intent.next_action?.redirect_to_url?.url
        case "canceled": payment.status = .cancelled
        default:
            payment.status = .failed
            payment.failureMessage = intent.last_payment_error?.message ?? "The payment needs another payment method."
        }
        return payment
    }

    // MARK: HTTP

    func post(_ path: String, form: StripeForm, idempotencyKey: String) async throws -> (Int, Data) {
        try await send(.POST, path, form: form, idempotencyKey: idempotencyKey)
    }

    func send(_ method: HTTPMethod, _ path: String, form: StripeForm?, idempotencyKey: String?) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(secretKey)")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        request.headers.add(name: "Stripe-Version", value: Self.apiVersion)
        request.headers.add(name: "User-Agent", value: "Leopard/1.0")
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form.encoded))
        }
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), Data(buffer: body))
        } catch {
            throw ProviderFailure(provider: name, statusCode: nil, message: "Stripe could not be reached (\(type(of: error))).")
        }
    }

    func failure(status: Int, body: Data) -> ProviderFailure {
        let message = (try? JSONDecoder().decode(StripeObjects.ErrorBody.self, from: body))?.error.message ?? "Stripe answered \(status)."
        return ProviderFailure(provider: name, statusCode: status, message: message)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            throw ProviderFailure(provider: StripeProvider.providerName, statusCode: nil, message: "Stripe's answer could not be read.")
        }
    }
}
