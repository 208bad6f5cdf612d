import Crypto
import Foundation
import LeopardCommerce
import LeopardCore
import LeopardPayments
import LeopardPlatform
import LeopardStorage
import Logging
import SQLKit

/// Paying for orders, for the API's pay route and the storefront's payment page alike: the
/// provider is chosen, the card or payment method checked, the provider asked (with a key that
/// makes a retry charge once), and the payment recorded with its idempotency key in one
/// transaction. Money the provider took for a payment that cannot be recorded is given back.
public struct OrderPayments: Sendable {
    public let providers: PaymentProviders
    let relay: PaymentWebhookRelay
    public let metrics: PlatformMetrics

    /// What a payment is made with: a test card (the `test` provider) or a Stripe payment method.
    public struct PayInput: Codable, Sendable {
        var provider: String?
        var card: TestGateway.Card?
        var paymentMethod: String?
        var returnUrl: String?

        public init(provider: String? = nil, card: TestGateway.Card? = nil, paymentMethod: String? = nil, returnUrl: String? = nil) {
            self.provider = provider
            self.card = card
            self.paymentMethod = paymentMethod
            self.returnUrl = returnUrl
        }
    }

    public typealias Idempotency = IdempotentRequest

    /// Who acts on an order: staff, or the shopper presenting the secret of the cart it came from.
    public enum OrderAccess: Sendable {
        case staff
        case cartSecret(String?)
    }

    /// A payment's answer: the payment itself, or, for a request with a key, the stored
    /// response (first time or replay).
    public typealias Outcome = IdempotentOutcome<Payment>

    func authorize(orderID: String, access: OrderAccess, database: any DatabaseHandle) async throws {
        guard case .cartSecret(let secret) = access else { return }
        guard let secret, try await Orders(database: database).cartSecretMatches(orderID: orderID, secret: secret) else {
            throw Problem.notFound("There is no order \(orderID.prefix(64)).")
        }
    }

    /// Pays for an order. A declined card is recorded and answered with a 402 problem.
    public func pay(
        orderID: String, input: PayInput, access: OrderAccess, idempotency: Idempotency?, tenant: Tenant, database: any DatabaseHandle,
        logger: Logger
    ) async throws -> Outcome {
        try await authorize(orderID: orderID, access: access, database: database)
        let keys = IdempotencyKeys(database: database)
        if let idempotency, let stored = try await keys.replay(key: idempotency.key, fingerprint: idempotency.fingerprint) { return .stored(stored) }
        // No provider named: the store's own (Stripe once connected, so a bare card is refused there).
        var name = input.provider ?? ""
        if input.provider == nil { name = try await providers.defaultProvider(database: database) }
        guard PaymentProviders.names.contains(name) else {
            throw Problem.invalid("provider", "must be one of " + PaymentProviders.names.joined(separator: ", "))
        }
        let method = try PaymentInputCheck.method(input, provider: name)
        let due = try await Payments(database: database).amountDue(orderID: orderID)
        let provider = try await providers.provider(named: name, database: database)
        let paymentID = Identifier.make("pay")
        // The provider sees one key per store, order and client key, so a retry cannot charge twice.
        let providerKey = idempotency.map { "leopard-" + Hex.encode(SHA256.hash(data: Data("\(tenant.id)\n\(orderID)\n\($0.key)".utf8))) } ?? paymentID
        let result: ProviderPayment
        do {
            result = try await provider.start(
                PaymentRequest(orderID: orderID, amount: due, method: method, idempotencyKey: providerKey, returnURL: input.returnUrl))
        } catch let failure as ProviderFailure {
            metrics.paymentFailed(provider: name, reason: "provider_error")
            throw Self.providerProblem(failure, logger: logger)
        }
        if result.status == .failed { metrics.paymentFailed(provider: name, reason: "declined") }
        let start = Self.start(orderID: orderID, provider: name, paymentID: paymentID, result: result)
        let pending = try await pendingEvent(provider: name, result: result, tenant: tenant)
        let outcome: Outcome
        do {
            outcome = try await record(start, amount: due, paymentID: paymentID, pending: pending, idempotency: idempotency, database: database)
        } catch {
            // Recorded nowhere (the order was paid or cancelled meanwhile, say): the money the
            // provider took or reserved is given back before the refusal reaches the client.
            if result.status != .failed, name != TestGateway.name {
                await void(result, provider: provider, paymentID: paymentID, amount: due, logger: logger)
            }
            throw error
        }
        if let pending { await relay.send(pending, tenant: tenant) }
        if case .value = outcome, result.status == .failed { throw Self.declined(result.failureMessage ?? "The card was declined.") }
        return outcome
    }

    public static func start(orderID: String, provider name: String, paymentID: String, result: ProviderPayment) -> Payments.Start {
        var start = Payments.Start(
            orderID: orderID, provider: name, reference: result.reference, status: result.status,
            cardBrand: result.cardBrand, cardLast4: result.cardLast4, nextAction: nil, failureMessage: result.failureMessage)
        if result.status == .requiresAction {
            start.nextAction =
                name == TestGateway.name
                ? Payment.NextAction(type: "test_authentication", url: "/api/payments/\(paymentID)/authenticate")
                : result.nextActionURL.map { Payment.NextAction(type: "redirect_to_url", url: $0) }
                    ?? Payment.NextAction(type: "use_stripe_sdk", url: "", clientSecret: result.clientSecret)
        }
        return start
    }

    /// The test provider reports its outcome later, as a signed event queued with the payment.
    func pendingEvent(provider name: String, result: ProviderPayment, tenant: Tenant) async throws -> Payments.PendingEvent? {
        guard name == TestGateway.name else { return nil }
        let eventID = Identifier.make("evt")
        let body: Data
        switch result.status {
        case .authorized:
            body = StripeEvents.body(id: eventID, type: "payment_intent.succeeded", reference: result.reference)
        case .failed:
            body = StripeEvents.body(id: eventID, type: "payment_intent.payment_failed", reference: result.reference, failure: result.failureMessage)
        default:
            return nil
        }
        try await relay.register(tenantID: tenant.id)
        return .init(id: eventID, provider: name, body: body)
    }

    func record(
        _ start: Payments.Start, amount: Money, paymentID: String, pending: Payments.PendingEvent?, idempotency: Idempotency?,
        database: any DatabaseHandle
    ) async throws -> Outcome {
        let lock = database.rowLock
        let record: @Sendable (any SQLDatabase) async throws -> Payment = { sql in
            try await Payments.record(start, amount: amount, id: paymentID, pendingEvent: pending, lock: lock, now: Date(), on: sql)
        }
        guard let idempotency else { return .value(try await database.write { sql in try await record(sql) }) }
        let stored = try await IdempotencyKeys(database: database).perform(key: idempotency.key, fingerprint: idempotency.fingerprint) { sql in
            let payment = try await record(sql)
            if payment.status == .failed {
                return (402, try IdempotencyKeys.problemBody(Self.declined(payment.failureMessage ?? "The card was declined.")))
            }
            return (201, String(decoding: try JSONBodyEncoder.encode(payment), as: UTF8.self))
        }
        return .stored(stored)
    }

    /// Cancels (or, once captured, refunds) a provider payment that could not be recorded.
    func void(_ payment: ProviderPayment, provider: any PaymentProvider, paymentID: String, amount: Money, logger: Logger) async {
        do {
            if payment.status == .captured {
                _ = try await provider.refund(reference: payment.reference, amount: amount, idempotencyKey: "void-\(paymentID)")
            } else {
                _ = try await provider.cancel(reference: payment.reference, idempotencyKey: "void-\(paymentID)")
            }
        } catch {
            logger.critical(
                "a provider payment could not be recorded nor voided: settle it in the provider's dashboard",
                metadata: [
                    "provider": .string(provider.name), "reference": .string(payment.reference),
                ])
        }
    }

    /// The `test` provider's extra step (what 3-D Secure is with a real card): the shopper
    /// completes it, and the provider reports success.
    public func authenticate(paymentID: String, access: OrderAccess, tenant: Tenant, database: any DatabaseHandle) async throws -> Payment {
        let payments = Payments(database: database)
        guard let payment = try await payments.find(id: paymentID), let known = try await payments.reference(paymentID: paymentID) else {
            throw Problem.notFound("There is no payment \(paymentID.prefix(64)).")
        }
        try await authorize(orderID: payment.orderId, access: access, database: database)
        guard known.provider == TestGateway.name, known.status == .requiresAction else {
            throw Problem.conflict("This payment needs no extra step.")
        }
        // A test payment begun before the store connected Stripe is not completed after.
        _ = try await providers.provider(named: TestGateway.name, database: database)
        try await relay.register(tenantID: tenant.id)
        let eventID = Identifier.make("evt")
        let event = Payments.PendingEvent(
            id: eventID, provider: TestGateway.name, body: StripeEvents.body(id: eventID, type: "payment_intent.succeeded", reference: known.reference))
        try await payments.queue(event)
        await relay.send(event, tenant: tenant)
        return payment
    }

    static func declined(_ message: String) -> Problem {
        Problem(
            status: 402, type: "https://leopard.dev/problems/card-declined", title: "Card declined", detail: message,
            errors: [.init(field: "card.number", message: message)])
    }

    /// The provider's own message (which may name the store's key) goes to the log, not to the
    /// client, who may be a shopper.
    static func providerProblem(_ failure: ProviderFailure, logger: Logger) -> Problem {
        logger.error(
            "payment provider request failed",
            metadata: [
                "provider": .string(failure.provider), "status": .string(failure.statusCode.map(String.init) ?? "none"),
                "message": .string(String(failure.message.prefix(300))),
            ])
        return Problem(
            status: 502, type: "https://leopard.dev/problems/payment-provider", title: "Payment provider error",
            detail: "The payment provider did not complete the request; nothing was charged or recorded. Try again later.")
    }
}
