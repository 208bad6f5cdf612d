import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardPlatform

/// Staff manage discounts at `/api/discounts`; shoppers put codes on their carts at
/// `/api/carts/:cartId/discounts` (with the cart's secret).
struct DiscountRoutes {
    let services: LeopardServices
    struct CodeBody: Decodable { let code: String }

    func register(on routes: StoreRouter) {
        routes.staff(.discounts).post("/api/discounts") { request, context in
            let input = try await request.decodeJSON(DiscountInput.self, context: context)
            return try await Discounts(database: context.database).create(input, actor: context.staff.actor).jsonResponse(status: .created)
        }
        routes.staff(.discounts).get("/api/discounts") { request, context in
            let query = request.queryDictionary
            return try await Discounts(database: context.database).list(page: try PageRequest(limit: query["limit"], cursor: query["cursor"])).jsonResponse()
        }
        routes.staff(.discounts).get("/api/discounts/:discountId") { _, context in
            let id = try context.parameters.require("discountId")
            guard let discount = try await Discounts(database: context.database).find(id: id) else { throw Self.notFound(id) }
            return try discount.jsonResponse()
        }
        routes.staff(.discounts).patch("/api/discounts/:discountId") { request, context in
            let input = try await request.decodeJSON(DiscountInput.self, context: context)
            return try await Discounts(database: context.database).update(id: try context.parameters.require("discountId"), input, actor: context.staff.actor)
                .jsonResponse()
        }
        routes.staff(.discounts).delete("/api/discounts/:discountId") { _, context in
            let id = try context.parameters.require("discountId")
            guard try await Discounts(database: context.database).delete(id: id, actor: context.staff.actor) else { throw Self.notFound(id) }
            return Response(status: .noContent)
        }
        routes.anyone.post("/api/carts/:cartId/discounts") { request, context in
            let body = try await request.decodeJSON(CodeBody.self, context: context)
            let cartID = try context.parameters.require("cartId")
            return try await Self.guessing(context, limiter: services.loginLimiter) {
                try await Carts(database: context.database).addDiscount(cartID: cartID, access: CartRoutes.access(request, context), code: body.code)
            }.jsonResponse()
        }
        routes.anyone.delete("/api/carts/:cartId/discounts/:code") { request, context in
            try await Carts(database: context.database).removeDiscount(
                cartID: try context.parameters.require("cartId"), access: CartRoutes.access(request, context), code: try context.parameters.require("code")
            ).jsonResponse()
        }
    }

    /// Entering codes is a way to guess them: a code that does not apply counts against the
    /// client's sign-in limit in this store (429 once it is reached); one that applies gives its
    /// try back.
    static func guessing<T: Sendable>(_ context: some StoreRequestContext, limiter: RateLimiter, _ body: () async throws -> T) async throws -> T {
        let attempt = try await LoginThrottle(limiter: limiter).begin("code:\(context.tenant.id):\(context.clientAddress ?? "local")")
        let result = try await body()
        await attempt.succeeded()
        return result
    }

    static func notFound(_ id: String) -> Problem { Problem.notFound("There is no discount \(id.prefix(64)).") }
}
