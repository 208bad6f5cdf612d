import Crypto
import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import LeopardPayments
import LeopardStorage
import NIOCore
import SQLKit

/// Paying orders (the `test` provider's cards, or a Stripe payment method), refunds, the
/// inbound webhook route, and the store's provider keys.
struct PaymentRoutes {
    let payments: OrderPayments
    var providers: PaymentProviders { payments.providers }

    struct StripeKeys: Decodable {
        let secretKey: String
        let webhookSecret: String
        let publishableKey: String?
        let captureMethod: String?
    }

    func register(on routes: StoreRouter) {
        routes.anyone.post("/api/orders/:orderId/pay", use: pay)
        routes.anyone.post("/api/payments/:paymentId/authenticate", use: authenticate)
        routes.staff(.orders, .payments).get("/api/orders/:orderId/payments") { _, context in
            let orderID = try context.parameters.require("orderId")
            return try Page(data: try await Payments(database: context.database).forOrder(orderID), nextCursor: nil).jsonResponse()
        }
        routes.staff(.payments).post("/api/orders/:orderId/refunds", use: refund)
        routes.anyone.post("/webhooks/payments/:provider", use: receiveWebhook)
        // The platform host's address for the same events (`LeopardResponder` found the store
        // by its id); on a store's own host, another store's id is not found.
        routes.anyone.post("/webhooks/payments/:provider/:storeId") { request, context in
            guard try context.parameters.require("storeId") == context.tenant.id else { throw Problem.notFound("There is no such store here.") }
            return try await receiveWebhook(request, context: context)
        }

        routes.staff(.payments).get("/api/payment-providers") { _, context in
            let database = context.database
            let credentials = ProviderCredentials(database: database, secrets: providers.secrets)
            struct Listing: Encodable {
                let data: [ProviderCredentials.View]
                let defaultProvider: String
                let mode: PaymentMode
            }
            let setup = PaymentSetup(stripe: try await credentials.view(provider: StripeProvider.providerName))
            let test = ProviderCredentials.View(
                provider: TestGateway.name, configured: setup.acceptsTestGateway, secretKeyHint: nil, publishableKey: nil, updatedAt: nil)
            return try Listing(data: [test, setup.stripe], defaultProvider: setup.defaultProvider, mode: setup.mode).jsonResponse()
        }
        routes.owner.put("/api/payment-providers/stripe") { request, context in
            let input = try await request.decodeJSON(StripeKeys.self, context: context)
            return try await ProviderCredentials(database: context.database, secrets: providers.secrets)
                .configureStripe(
                    secretKey: input.secretKey, webhookSecret: input.webhookSecret, publishableKey: input.publishableKey,
                    captureMethod: input.captureMethod, actor: context.owner.actor
                ).jsonResponse()
        }
        routes.owner.delete("/api/payment-providers/stripe") { _, context in
            // A live store never drops back to the test gateway: live keys are replaced, not removed.
            guard try await providers.setup(database: context.database).mode == .test else {
                throw Problem.conflict(
                    "This store takes real payments: replace its live Stripe keys instead of removing them, so the test gateway never reopens.")
            }
            guard
                try await ProviderCredentials(database: context.database, secrets: providers.secrets).remove(
                    provider: StripeProvider.providerName, actor: context.owner.actor)
            else {
                throw Problem.notFound("This store has not set up Stripe.")
            }
            return Response(status: .noContent)
        }
    }

    /// A provider's signed event for this store: the signature is checked on the raw body
    /// before anything is parsed, and the event is applied once.
    @Sendable func receiveWebhook(_ request: Request, context: StoreContext) async throws -> Response {
        let database = context.database
        let provider = try context.parameters.require("provider")
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: 256 * 1024)
        } catch is NIOTooManyBytesError {
            throw Problem.payloadTooLarge(limit: 256 * 1024)
        }
        let applied = try await PaymentWebhookReceiver(database: database, providers: providers, logger: context.logger)
            .receive(provider: provider, signature: request.headers[.init("Stripe-Signature")!], body: Data(buffer: body))
        struct Receipt: Encodable {
            let received: Bool
            let changed: Bool
        }
        if case .changed = applied { return try Receipt(received: true, changed: true).jsonResponse() }
        return try Receipt(received: true, changed: false).jsonResponse()
    }

    /// Staff, or the shopper holding the secret of the cart the order came from.
    static func access(_ request: Request, _ context: StoreContext) -> OrderPayments.OrderAccess {
        context.staff(holding: .orders, .payments) != nil ? .staff : .cartSecret(request.headers[CartRoutes.secretHeader])
    }

    @Sendable func pay(_ request: Request, context: StoreContext) async throws -> Response {
        let (tenant, database) = (context.tenant, context.database)
        let orderID = try context.parameters.require("orderId")
        let buffer = try await request.collectJSONBody(context: context)
        let input = try Request.decodeJSON(OrderPayments.PayInput.self, from: buffer)
        let outcome = try await payments.pay(
            orderID: orderID, input: input, access: Self.access(request, context), idempotency: try request.idempotency(context, body: buffer),
            tenant: tenant, database: database, logger: context.logger)
        switch outcome {
        case .value(let payment): return try payment.jsonResponse(status: .created)
        case .stored(let stored): return stored.response
        }
    }

    /// The `test` provider's extra step (what 3-D Secure is with a real card).
    @Sendable func authenticate(_ request: Request, context: StoreContext) async throws -> Response {
        let (tenant, database) = (context.tenant, context.database)
        return try await payments.authenticate(
            paymentID: try context.parameters.require("paymentId"), access: Self.access(request, context),
            tenant: tenant, database: database
        ).jsonResponse(status: .accepted)
    }

    @Sendable func refund(_ request: Request, context: StaffContext) async throws -> Response {
        let staff = context.staff
        let buffer = try await request.collectJSONBody(context: context)
        let input = buffer.readableBytes == 0 ? OrderRefunds.Input() : try Request.decodeJSON(OrderRefunds.Input.self, from: buffer)
        return try await OrderRefunds(providers: providers).refund(
            orderID: try context.parameters.require("orderId"), input: input, actor: staff.actor,
            database: context.database, logger: context.logger
        ).jsonResponse(status: .created)
    }
}
