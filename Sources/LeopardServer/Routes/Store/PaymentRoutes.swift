import Crypto
import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardPayments
import NIOCore
import LeopardStorage
import SQLKit

/// Paying orders (the `test` provider's cards, or a Stripe payment method), refunds, the
/// inbound webhook route, and the store's provider keys.
struct PaymentRoutes {
    let relay: PaymentWebhookRelay
    let providers: PaymentProviders
    let metrics: PlatformMetrics

    struct PayRequest: Decodable {
        let provider: String?
        let card: TestGateway.Card?
        let paymentMethod: String?
        let returnUrl: String?
    }

    struct RefundRequest: Decodable {
        let amount: Int?
        let restock: Bool?
    }

    struct StripeKeys: Decodable {
        let secretKey: String
        let webhookSecret: String
        let publishableKey: String?
        let captureMethod: String?
    }

    func register(on router: Router<AppContext>) {
        router.post("/api/orders/:orderId/pay", use: pay)
        router.post("/api/payments/:paymentId/authenticate", use: authenticate)
        router.get("/api/orders/:orderId/payments") { _, context in
            let orderID = try context.parameters.require("orderId")
            _ = try context.requireStaff()
            return try Page(data: try await Payments(database: try context.store().database).forOrder(orderID), nextCursor: nil).jsonResponse()
        }
        router.post("/api/orders/:orderId/refunds", use: refund)
        router.post("/webhooks/payments/:provider", use: receiveWebhook)
        // The platform host's address for the same events (`LeopardResponder` found the store
        // by its id); on a store's own host, another store's id is not found.
        router.post("/webhooks/payments/:provider/:storeId") { request, context in
            guard try context.parameters.require("storeId") == context.store().tenant.id else { throw Problem.notFound("There is no such store here.") }
            return try await receiveWebhook(request, context: context)
        }

        router.get("/api/payment-providers") { _, context in
            _ = try context.requireOwner()
            let (_, database) = try context.store()
            let credentials = ProviderCredentials(database: database, secrets: providers.secrets)
            struct Listing: Encodable { let data: [ProviderCredentials.View]; let defaultProvider: String; let mode: PaymentMode }
            let setup = PaymentSetup(stripe: try await credentials.view(provider: StripeProvider.providerName))
            let test = ProviderCredentials.View(provider: TestGateway.name, configured: setup.acceptsTestGateway, secretKeyHint: nil, publishableKey: nil, updatedAt: nil)
            return try Listing(data: [test, setup.stripe], defaultProvider: setup.defaultProvider, mode: setup.mode).jsonResponse()
        }
        router.put("/api/payment-providers/stripe") { request, context in
            _ = try context.requireOwner()
            let input = try await request.decodeJSON(StripeKeys.self, context: context)
            return try await ProviderCredentials(database: try context.store().database, secrets: providers.secrets)
                .configureStripe(secretKey: input.secretKey, webhookSecret: input.webhookSecret, publishableKey: input.publishableKey,
                                 captureMethod: input.captureMethod).jsonResponse()
        }
        router.delete("/api/payment-providers/stripe") { _, context in
            _ = try context.requireOwner()
            // A live store never drops back to the test gateway: live keys are replaced, not removed.
            guard try await providers.setup(database: try context.store().database).mode == .test else {
                throw Problem.conflict("This store takes real payments: replace its live Stripe keys instead of removing them, so the test gateway never reopens.")
            }
            guard try await ProviderCredentials(database: try context.store().database, secrets: providers.secrets).remove(provider: StripeProvider.providerName) else {
                throw Problem.notFound("This store has not set up Stripe.")
            }
            return Response(status: .noContent)
        }
    }

    /// A provider's signed event for this store: the signature is checked on the raw body
    /// before anything is parsed, and the event is applied once.
    @Sendable func receiveWebhook(_ request: Request, context: AppContext) async throws -> Response {
        let (_, database) = try context.store()
        let provider = try context.parameters.require("provider")
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: 256 * 1024)
        } catch is NIOTooManyBytesError {
            throw Problem.payloadTooLarge(limit: 256 * 1024)
        }
        let applied = try await PaymentWebhookReceiver(database: database, providers: providers, logger: context.logger)
            .receive(provider: provider, signature: request.headers[.init("Stripe-Signature")!], body: Data(buffer: body))
        struct Receipt: Encodable { let received: Bool; let changed: Bool }
        if case .changed = applied { return try Receipt(received: true, changed: true).jsonResponse() }
        return try Receipt(received: true, changed: false).jsonResponse()
    }

    /// Staff, or the shopper holding the secret of the cart the order came from.
    func authorize(orderID: String, request: Request, context: AppContext) async throws {
        guard context.staff == nil else { return }
        guard let secret = request.headers[CartRoutes.secretHeader],
              try await Orders(database: try context.store().database).cartSecretMatches(orderID: orderID, secret: secret) else {
            throw Problem.notFound("There is no order \(orderID.prefix(64)).")
        }
    }

    static func declined(_ message: String) -> Problem {
        Problem(status: 402, type: "https://leopard.dev/problems/card-declined", title: "Card declined", detail: message,
                errors: [.init(field: "card.number", message: message)])
    }

    /// The provider's own message (which may name the store's key) goes to the log, not to the
    /// client, who may be a shopper.
    static func providerProblem(_ failure: ProviderFailure, context: AppContext) -> Problem {
        context.logger.error("payment provider request failed", metadata: [
            "provider": .string(failure.provider), "status": .string(failure.statusCode.map(String.init) ?? "none"), "message": .string(String(failure.message.prefix(300))),
        ])
        return Problem(status: 502, type: "https://leopard.dev/problems/payment-provider", title: "Payment provider error",
                       detail: "The payment provider did not complete the request; nothing was charged or recorded. Try again later.")
    }

    /// Checks what the request pays with before any provider is asked.
    func method(_ input: PayRequest, provider: String) throws -> PaymentMethodInput {
        if provider == TestGateway.name {
            guard let card = input.card else { throw Problem.invalid("card", "is required: the test provider takes card details") }
            return .testCard(card)
        }
        var errors: [Problem.FieldError] = []
        let method = input.paymentMethod ?? ""
        // `pm_…` from Stripe.js's createPaymentMethod, or a `card_…` (Stripe takes a Card's id
        // as a payment method; Stripe.js stand-ins without createPaymentMethod give a token's card).
        if !(method.hasPrefix("pm_") || method.hasPrefix("card_")) || method.count > 255
            || !method.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            errors.append(.init(field: "paymentMethod", message: "must be a Stripe payment method id (pm_… or card_…)"))
        }
        if let url = input.returnUrl, !(url.hasPrefix("https://") || url.hasPrefix("http://")) || url.count > 2048 || URL(string: url) == nil {
            errors.append(.init(field: "returnUrl", message: "must be an absolute http or https URL"))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return .providerMethod(method)
    }

    @Sendable func pay(_ request: Request, context: AppContext) async throws -> Response {
        let (tenant, database) = try context.store()
        let orderID = try context.parameters.require("orderId")
        let buffer = try await request.collectJSONBody(context: context)
        let input = try Request.decodeJSON(PayRequest.self, from: buffer)
        try await authorize(orderID: orderID, request: request, context: context)
        let keys = IdempotencyKeys(database: database)
        let clientKey = request.headers[CartRoutes.idempotencyHeader]
        let fingerprint = IdempotencyKeys.fingerprint(method: "POST", path: request.uri.path, body: buffer.readableBytesView)
        if let clientKey { try IdempotencyKeys.validate(clientKey) }
        let key = clientKey.map { IdempotencyKeys.scoped($0, caller: CartRoutes.caller(request, context)) }
        if let key, let stored = try await keys.replay(key: key, fingerprint: fingerprint) { return Self.response(stored) }

        // No provider named: the store's own (Stripe once connected, so a bare card is refused there).
        var name = input.provider ?? ""
        if input.provider == nil { name = try await providers.defaultProvider(database: database) }
        guard PaymentProviders.names.contains(name) else {
            throw Problem.invalid("provider", "must be one of " + PaymentProviders.names.joined(separator: ", "))
        }
        let method = try method(input, provider: name)
        let payments = Payments(database: database)
        let due = try await payments.amountDue(orderID: orderID)
        let provider = try await providers.provider(named: name, database: database)
        let paymentID = Identifier.make("pay")
        // The provider sees one key per store, order and client key, so a retry cannot charge twice.
        let providerKey = key.map { "leopard-" + SHA256.hash(data: Data("\(tenant.id)\n\(orderID)\n\($0)".utf8)).map { String(format: "%02x", $0) }.joined() } ?? paymentID
        let result: ProviderPayment
        do {
            result = try await provider.start(PaymentRequest(orderID: orderID, amount: due, method: method, idempotencyKey: providerKey, returnURL: input.returnUrl))
        } catch let failure as ProviderFailure {
            metrics.paymentFailed(provider: name, reason: "provider_error")
            throw Self.providerProblem(failure, context: context)
        }
        if result.status == .failed { metrics.paymentFailed(provider: name, reason: "declined") }

        var start = Payments.Start(orderID: orderID, provider: name, reference: result.reference, status: result.status,
                                   cardBrand: result.cardBrand, cardLast4: result.cardLast4, nextAction: nil, failureMessage: result.failureMessage)
        if result.status == .requiresAction {
            start.nextAction = name == TestGateway.name
                ? Payment.NextAction(type: "test_authentication", url: "/api/payments/\(paymentID)/authenticate")
                : result.nextActionURL.map { Payment.NextAction(type: "redirect_to_url", url: $0) }
                    ?? Payment.NextAction(type: "use_stripe_sdk", url: "", clientSecret: result.clientSecret)
        }
        // The test provider reports its outcome later, as a signed event queued with the payment.
        var pending: Payments.PendingEvent?
        if name == TestGateway.name {
            let eventID = Identifier.make("evt")
            switch result.status {
            case .authorized:
                pending = .init(id: eventID, provider: name, body: StripeEvents.body(id: eventID, type: "payment_intent.succeeded", reference: result.reference))
            case .failed:
                pending = .init(id: eventID, provider: name, body: StripeEvents.body(id: eventID, type: "payment_intent.payment_failed", reference: result.reference, failure: result.failureMessage))
            default:
                break
            }
            if pending != nil { try await relay.register(tenantID: tenant.id) }
        }
        let lock: SQLQueryString = database.kind == .postgres ? " FOR UPDATE" : ""
        let record: @Sendable (any SQLDatabase) async throws -> Payment = { [start, pending] sql in
            try await Payments.record(start, amount: due, id: paymentID, pendingEvent: pending, lock: lock, now: Date(), on: sql)
        }
        let response: Response
        do {
            response = try await recordPayment(key: key, fingerprint: fingerprint, keys: keys, database: database, record: record)
        } catch {
            // Recorded nowhere (the order was paid or cancelled meanwhile, say): the money the
            // provider took or reserved is given back before the refusal reaches the client.
            if result.status != .failed, name != TestGateway.name {
                await void(result, provider: provider, paymentID: paymentID, amount: due, context: context)
            }
            throw error
        }
        if let pending { await relay.send(pending, tenant: tenant) }
        if result.status == .failed { throw Self.declined(result.failureMessage ?? "The card was declined.") }
        return response
    }

    /// Cancels (or, once captured, refunds) a provider payment that could not be recorded.
    func void(_ payment: ProviderPayment, provider: any PaymentProvider, paymentID: String, amount: Money, context: AppContext) async {
        do {
            if payment.status == .captured {
                _ = try await provider.refund(reference: payment.reference, amount: amount, idempotencyKey: "void-\(paymentID)")
            } else {
                _ = try await provider.cancel(reference: payment.reference, idempotencyKey: "void-\(paymentID)")
            }
        } catch {
            context.logger.critical("a provider payment could not be recorded nor voided: settle it in the provider's dashboard", metadata: [
                "provider": .string(provider.name), "reference": .string(payment.reference),
            ])
        }
    }

    func recordPayment(key: String?, fingerprint: String, keys: IdempotencyKeys, database: any DatabaseHandle,
                       record: @escaping @Sendable (any SQLDatabase) async throws -> Payment) async throws -> Response {
        if let key {
            let stored = try await keys.perform(key: key, fingerprint: fingerprint) { sql in
                let payment = try await record(sql)
                if payment.status == .failed {
                    let problem = Self.declined(payment.failureMessage ?? "The card was declined.")
                    struct Stored: Encodable { let status: Int; let type: String; let title: String; let detail: String?; let errors: [Problem.FieldError] }
                    return (402, String(decoding: try JSONBodyEncoder.encode(Stored(status: 402, type: problem.type, title: problem.title, detail: problem.detail, errors: problem.errors)), as: UTF8.self))
                }
                return (201, String(decoding: try JSONBodyEncoder.encode(payment), as: UTF8.self))
            }
            return Self.response(stored)
        }
        let payment = try await database.write { sql in try await record(sql) }
        return try payment.jsonResponse(status: .created)
    }

    static func response(_ stored: IdempotencyKeys.Stored) -> Response {
        var headers: HTTPFields = [.contentType: stored.status >= 400 ? "application/problem+json" : "application/json; charset=utf-8"]
        if stored.replayed { headers[CartRoutes.replayedHeader] = "true" }
        return Response(status: .init(code: stored.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: stored.body)))
    }

    /// The `test` provider's extra step (what 3-D Secure is with a real card): the shopper
    /// completes it, and the provider reports success.
    @Sendable func authenticate(_ request: Request, context: AppContext) async throws -> Response {
        let (tenant, database) = try context.store()
        let paymentID = try context.parameters.require("paymentId")
        let payments = Payments(database: database)
        guard let payment = try await payments.find(id: paymentID), let known = try await payments.reference(paymentID: paymentID) else {
            throw Problem.notFound("There is no payment \(paymentID.prefix(64)).")
        }
        try await authorize(orderID: payment.orderId, request: request, context: context)
        guard known.provider == TestGateway.name, known.status == .requiresAction else {
            throw Problem.conflict("This payment needs no extra step.")
        }
        // A test payment begun before the store connected Stripe is not completed after.
        _ = try await providers.provider(named: TestGateway.name, database: database)
        try await relay.register(tenantID: tenant.id)
        let eventID = Identifier.make("evt")
        let event = Payments.PendingEvent(id: eventID, provider: TestGateway.name, body: StripeEvents.body(id: eventID, type: "payment_intent.succeeded", reference: known.reference))
        try await payments.queue(event)
        await relay.send(event, tenant: tenant)
        return try payment.jsonResponse(status: .accepted)
    }

    @Sendable func refund(_ request: Request, context: AppContext) async throws -> Response {
        let staff = try context.requireStaff()
        let (_, database) = try context.store()
        let orderID = try context.parameters.require("orderId")
        let buffer = try await request.collectJSONBody(context: context)
        let input = buffer.readableBytes == 0 ? RefundRequest(amount: nil, restock: nil) : try Request.decodeJSON(RefundRequest.self, from: buffer)
        let payments = Payments(database: database)
        let check = try await payments.refundable(orderID: orderID, amount: input.amount)
        // Restocking puts every line back: it goes with a refund of all that is left, not part of it.
        if input.restock == true, input.amount != nil, try await payments.refundable(orderID: orderID, amount: nil).amount.amount > check.amount.amount {
            throw Problem.invalid("restock", "goes with a refund of all that is left; refund part of an order without restocking, and correct stock on the product")
        }
        if check.provider == StripeProvider.providerName {
            // The provider refunds first (the key names the payment, the total refunded so far
            // and the amount, so identical requests racing refund once); the refund is then
            // recorded on top of that total only (see `Payments.refund`).
            do {
                _ = try await providers.provider(named: check.provider, database: database)
                    .refund(reference: check.reference, amount: check.amount, idempotencyKey: "refund-\(check.paymentID)-\(check.refundedBefore)-\(check.amount.amount)")
            } catch let failure as ProviderFailure {
                throw Self.providerProblem(failure, context: context)
            }
        }
        let refund = try await payments.refund(orderID: orderID, amount: check.amount.amount, restock: input.restock ?? false, actor: staff.actor,
                                               refundedBefore: check.provider == StripeProvider.providerName ? check.refundedBefore : nil)
        return try refund.jsonResponse(status: .created)
    }
}
