import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import LeopardPayments

/// Draft orders: staff build an order for a customer, then complete it (paid at once, or
/// waiting for payment by its method) or mail the customer a link to pay. Abandoned checkouts,
/// and the mailed links that bring a cart back.
struct DraftOrderRoutes {
    let placement: OrderPlacement
    let mail: MailSender

    func register(on routes: StoreRouter) {
        routes.staff(.orders).get("/api/checkouts/abandoned") { request, context in
            let query = request.queryDictionary
            let hours = try AbandonedCheckouts.hours(query["hours"])
            return try await AbandonedCheckouts(database: context.database)
                .list(olderThanHours: hours, page: try PageRequest(limit: query["limit"], cursor: query["cursor"])).jsonResponse()
        }
        routes.staff(.orders).post("/api/checkouts/:cartId/recovery-email") { _, context in
            try await CartLinks(database: context.database)
                .sendRecovery(cartID: try context.parameters.require("cartId"), mail: mail, actor: context.staff.actor).jsonResponse()
        }
        routes.anyone.post("/api/carts/restore") { request, context in
            struct Body: Decodable { let token: String }
            let body = try await request.decodeJSON(Body.self, context: context)
            return try await CartLinks(database: context.database).restoredCart(token: body.token).jsonResponse()
        }
        routes.staff(.orders).post("/api/draft-orders/:draftId/send-link") { _, context in
            try await DraftOrders(database: context.database)
                .sendPaymentLink(id: try context.parameters.require("draftId"), mail: mail, actor: context.staff.actor).jsonResponse()
        }
        routes.staff(.orders).post("/api/draft-orders") { request, context in
            let input = try await request.decodeJSON(DraftOrders.Input.self, context: context)
            return try await DraftOrders(database: context.database).create(input, actor: context.staff.actor).jsonResponse(status: .created)
        }
        routes.staff(.orders).get("/api/draft-orders") { request, context in
            let query = request.queryDictionary
            return try await DraftOrders(database: context.database).list(page: try PageRequest(limit: query["limit"], cursor: query["cursor"])).jsonResponse()
        }
        routes.staff(.orders).get("/api/draft-orders/:draftId") { _, context in
            let id = try context.parameters.require("draftId")
            guard let draft = try await DraftOrders(database: context.database).find(id: id) else {
                throw Problem.notFound("There is no draft order \(id.prefix(64)).")
            }
            return try draft.jsonResponse()
        }
        routes.staff(.orders).post("/api/draft-orders/:draftId/complete") { request, context in
            let buffer = try await request.collectJSONBody(context: context)
            let completion = buffer.readableBytes == 0 ? DraftOrders.Completion() : try Request.decodeJSON(DraftOrders.Completion.self, from: buffer)
            let id = try context.parameters.require("draftId")
            return try await DraftOrders(database: context.database)
                .complete(id: id, completion, by: context.staff, placement: placement).jsonResponse(status: .created)
        }
    }
}
