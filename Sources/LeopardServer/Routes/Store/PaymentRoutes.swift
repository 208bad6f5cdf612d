import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardPayments
import NIOCore

/// Paying orders with the built-in `test` provider, refunds, and the inbound webhook route.
struct PaymentRoutes {
    let relay: PaymentWebhookRelay

    struct PayRequest: Decodable {
        let card: TestGateway.Card
    }

    struct RefundRequest: Decodable {
        let amount: Int?
        let restock: Bool?
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
        router.post("/webhooks/payments/:provider") { request, context in
            let (_, database) = try context.store()
            let provider = try context.parameters.require("provider")
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: 256 * 1024)
            } catch is NIOTooManyBytesError {
                throw Problem.payloadTooLarge(limit: 256 * 1024)
            }
            let applied = try await PaymentWebhookReceiver(database: database)
                .receive(provider: provider, signature: request.headers[.init("Stripe-Signature")!], body: Data(buffer: body))
            struct Receipt: Encodable { let received: Bool; let changed: Bool }
            if case .changed = applied { return try Receipt(received: true, changed: true).jsonResponse() }
            return try Receipt(received: true, changed: false).jsonResponse()
        }
    }

    /// Staff, or the shopper holding the secret of the cart the order came from.
    func authorize(orderID: String, request: Request, context: AppContext) async throws {
        guard context.staff == nil else { return }
        guard let secret = request.headers[CartRoutes.secretHeader],
              try await Orders(database: try context.store().database).cartSecretMatches(orderID: orderID, secret: secret) else {
            throw Problem.notFound("There is no order \(orderID.prefix(64)).")
        }
    }

    @Sendable func pay(_ request: Request, context: AppContext) async throws -> Response {
        let (tenant, database) = try context.store()
        let orderID = try context.parameters.require("orderId")
        let input = try await request.decodeJSON(PayRequest.self, context: context)
        try await authorize(orderID: orderID, request: request, context: context)
        let payments = Payments(database: database)
        let due = try await payments.amountDue(orderID: orderID)
        let charge = try TestGateway.charge(input.card)
        var start = Payments.Start(orderID: orderID, provider: TestGateway.name, reference: charge.reference, status: .authorized,
                                   cardBrand: charge.brand, cardLast4: charge.last4, nextAction: nil, failureMessage: nil)
        switch charge.result {
        case .succeeded:
            break
        case .declined(let message):
            start.status = .failed
            start.failureMessage = message
        case .requiresAction:
            start.status = .requiresAction
        }
        let paymentID = Identifier.make("pay")
        if charge.result == .requiresAction {
            start.nextAction = Payment.NextAction(type: "test_authentication", url: "/api/payments/\(paymentID)/authenticate")
        }
        let payment = try await payments.record(start, amount: due, id: paymentID)
        switch charge.result {
        case .succeeded:
            await relay.send(StripeEvents.body(id: Identifier.make("evt"), type: "payment_intent.succeeded", reference: charge.reference), provider: TestGateway.name, tenant: tenant)
        case .declined(let message):
            await relay.send(StripeEvents.body(id: Identifier.make("evt"), type: "payment_intent.payment_failed", reference: charge.reference, failure: message), provider: TestGateway.name, tenant: tenant)
            throw Problem(status: 402, type: "https://leopard.dev/problems/card-declined", title: "Card declined", detail: message,
                          errors: [.init(field: "card.number", message: message)])
        case .requiresAction:
            break
        }
        return try payment.jsonResponse(status: .created)
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
        await relay.send(StripeEvents.body(id: Identifier.make("evt"), type: "payment_intent.succeeded", reference: known.reference), provider: TestGateway.name, tenant: tenant)
        return try payment.jsonResponse(status: .accepted)
    }

    @Sendable func refund(_ request: Request, context: AppContext) async throws -> Response {
        let staff = try context.requireStaff()
        let (_, database) = try context.store()
        let orderID = try context.parameters.require("orderId")
        let buffer = try await request.collectJSONBody(context: context)
        let input = buffer.readableBytes == 0 ? RefundRequest(amount: nil, restock: nil) : try Request.decodeJSON(RefundRequest.self, from: buffer)
        let refund = try await Payments(database: database).refund(orderID: orderID, amount: input.amount, restock: input.restock ?? false, actor: staff.actor)
        return try refund.jsonResponse(status: .created)
    }
}
