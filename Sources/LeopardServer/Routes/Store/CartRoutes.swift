import HTTPTypes
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import NIOCore

/// Carts and checkout. Shoppers present the cart's secret in `X-Cart-Secret`; staff may act on
/// any cart. Checkout honours `Idempotency-Key`.
struct CartRoutes {
    let providers: PaymentProviders
    let metrics: PlatformMetrics
    static let secretHeader = HTTPField.Name("X-Cart-Secret")!
    static let idempotencyHeader = HTTPField.Name("Idempotency-Key")!
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!

    func register(on routes: StoreRouter) {
        routes.anyone.post("/api/carts") { request, context in
            let buffer = try await request.collectJSONBody(context: context)
            let input = buffer.readableBytes == 0 ? Carts.CreateInput() : try Request.decodeJSON(Carts.CreateInput.self, from: buffer)
            return try await carts(context).create(input, customerID: context.customer?.id).jsonResponse(status: .created)
        }
        routes.anyone.get("/api/carts/:cartId") { request, context in
            try await carts(context).get(id: try context.parameters.require("cartId"), access: access(request, context)).jsonResponse()
        }
        routes.anyone.post("/api/carts/:cartId/items") { request, context in
            let line = try await request.decodeJSON(Carts.LineInput.self, context: context)
            return try await carts(context).addItem(cartID: try context.parameters.require("cartId"), access: access(request, context), line: line)
                .jsonResponse()
        }
        routes.anyone.patch("/api/carts/:cartId/items/:itemId") { request, context in
            struct Body: Decodable { let quantity: Int }
            let body = try await request.decodeJSON(Body.self, context: context)
            return try await carts(context).updateItem(
                cartID: try context.parameters.require("cartId"), itemID: try context.parameters.require("itemId"),
                access: access(request, context), quantity: body.quantity
            ).jsonResponse()
        }
        routes.anyone.delete("/api/carts/:cartId/items/:itemId") { request, context in
            try await carts(context).removeItem(
                cartID: try context.parameters.require("cartId"), itemID: try context.parameters.require("itemId"), access: access(request, context)
            ).jsonResponse()
        }
        routes.anyone.post("/api/carts/:cartId/checkout", use: checkout)
        registerShipping(on: routes)
    }

    struct AddressBody: Decodable { let shippingAddress: Address }
    struct MethodBody: Decodable { let id: String }

    func registerShipping(on routes: StoreRouter) {
        routes.anyone.put("/api/carts/:cartId/address") { request, context in
            let body = try await request.decodeJSON(AddressBody.self, context: context)
            return try await carts(context).setAddress(
                cartID: try context.parameters.require("cartId"), access: access(request, context), address: body.shippingAddress
            ).jsonResponse()
        }
        routes.anyone.get("/api/carts/:cartId/shipping-methods") { request, context in
            let options = try await carts(context).shippingMethods(cartID: try context.parameters.require("cartId"), access: access(request, context))
            return try Page(data: options, nextCursor: nil).jsonResponse()
        }
        routes.anyone.put("/api/carts/:cartId/shipping-method") { request, context in
            let body = try await request.decodeJSON(MethodBody.self, context: context)
            return try await carts(context).setShippingMethod(
                cartID: try context.parameters.require("cartId"), access: access(request, context), methodID: body.id
            ).jsonResponse()
        }
    }

    func carts(_ context: some StoreRequestContext) throws -> Carts {
        Carts(database: context.database)
    }

    /// Who sends a request, for idempotency keys: the staff member, the customer and the cart
    /// secret it presents (see `IdempotencyKeys.scoped`).
    static func caller(_ request: Request, _ context: StoreContext) -> String {
        IdempotencyKeys.caller(staffID: context.staff?.staffID, customerID: context.customer?.id, cartSecret: request.headers[secretHeader])
    }

    func access(_ request: Request, _ context: StoreContext) -> CartAccess {
        Self.access(request, context)
    }

    /// Staff may act on any cart; anyone else presents the cart's secret.
    static func access(_ request: Request, _ context: StoreContext) -> CartAccess {
        context.staff(holding: .orders) != nil ? .staff : .secret(request.headers[secretHeader])
    }

    @Sendable func checkout(_ request: Request, context: StoreContext) async throws -> Response {
        let buffer = try await request.collectJSONBody(context: context)
        let input = try Request.decodeJSON(Checkout.Input.self, from: buffer)
        let outcome = try await OrderPlacement(providers: providers, metrics: metrics)
            .place(
                cartID: try context.parameters.require("cartId"), access: access(request, context), input: input, customerID: context.customer?.id,
                idempotency: try request.idempotency(context, body: buffer), database: context.database)
        switch outcome {
        case .value(let placed): return try placed.order.jsonResponse(status: placed.created ? .created : .ok)
        case .stored(let stored): return stored.response
        }
    }
}
