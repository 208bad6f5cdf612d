import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import LeopardPayments
import LeopardStorage

/// Orders: staff list and move them; a signed-in customer reads their own.
struct OrderRoutes {
    let providers: PaymentProviders

    func register(on routes: StoreRouter) {
        registerChanges(on: routes)
        routes.staff(.orders, .fulfillments).get("/api/orders") { request, context in
            let query = request.queryDictionary
            var filter = Orders.Filter()
            if let status = query["status"] {
                guard let value = OrderStatus(rawValue: status) else {
                    throw Problem.invalid("status", "must be one of " + OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))
                }
                filter.status = value
            }
            filter.customerID = query["customer_id"]
            filter.email = query["email"]
            return try await orders(context).list(filter, page: try PageRequest(limit: query["limit"], cursor: query["cursor"])).jsonResponse()
        }
        routes.anyone.get("/api/orders/:orderId") { request, context in
            // Staff; the customer who placed it; or the shopper holding the secret of the cart it
            // came from (a guest's order confirmation).
            let id = try context.parameters.require("orderId")
            let cartSecret = request.headers[CartRoutes.secretHeader]
            if context.staff == nil, cartSecret == nil, context.customer == nil {
                throw Problem.unauthorized("Sign in as a customer: send Authorization: Bearer <token>.")
            }
            let order = try await orders(context).readable(
                id: id, byStaff: context.staff(holding: .orders, .fulfillments) != nil, customerID: context.customer?.id, cartSecret: cartSecret)
            return try order.jsonResponse()
        }
        routes.staff(.fulfillments).post("/api/orders/:orderId/fulfillments") { request, context in
            let input = try await request.decodeJSON(FulfillmentInput.self, context: context)
            return try await OrderFulfilment(providers: providers)
                .fulfil(orderID: try context.parameters.require("orderId"), input, actor: context.staff.actor, database: context.database)
                .jsonResponse(status: .created)
        }
        routes.staff(.orders).get("/api/orders/export") { request, context in
            let query = request.queryDictionary
            let (start, end) = try OrderExport.range(from: query["from"], to: query["to"])
            let csv = try await OrderExport(database: context.database).csv(from: start, to: end)
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"orders.csv\""],
                body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
        routes.staff(.fulfillments).post("/api/orders/:orderId/fulfill") { _, context in
            let staff = context.staff
            return try await OrderFulfilment(providers: providers)
                .fulfil(orderID: try context.parameters.require("orderId"), actor: staff.actor, database: context.database).jsonResponse()
        }
        routes.staff(.payments).post("/api/orders/:orderId/mark-paid") { _, context in
            let staff = context.staff
            let id = try context.parameters.require("orderId")
            try await Payments(database: context.database).markPaidManually(orderID: id, actor: staff.actor)
            guard let order = try await orders(context).find(id: id) else { throw Problem.notFound("There is no order \(id.prefix(64)).") }
            return try order.jsonResponse()
        }
        routes.staff(.orders).post("/api/orders/:orderId/cancel") { request, context in
            let staff = context.staff
            struct Body: Decodable { let reason: String? }
            let buffer = try await request.collectJSONBody(context: context)
            let reason = buffer.readableBytes == 0 ? nil : try Request.decodeJSON(Body.self, from: buffer).reason
            let id = try context.parameters.require("orderId")
            return try await OrderCancellation(providers: providers, logger: context.logger)
                .cancel(orderID: id, reason: reason, actor: staff.actor, database: context.database).jsonResponse()
        }
    }

    /// Notes, edits and returns: changes to an order after it was placed.
    func registerChanges(on routes: StoreRouter) {
        routes.staff(.orders, .fulfillments).post("/api/orders/:orderId/notes") { request, context in
            struct Note: Decodable { let text: String }
            let note = try await request.decodeJSON(Note.self, context: context)
            return try await orders(context).addNote(orderID: try context.parameters.require("orderId"), text: note.text, actor: context.staff.actor)
                .jsonResponse(status: .created)
        }
        routes.staff(.orders).post("/api/orders/:orderId/edits") { request, context in
            let input = try await request.decodeJSON(OrderEdits.Input.self, context: context)
            let preview = request.queryDictionary["preview"]
            guard preview == nil || preview == "true" || preview == "false" else { throw Problem.invalid("preview", "must be true or false") }
            let save = preview != "true"
            return try await OrderEdits(database: context.database)
                .edit(orderID: try context.parameters.require("orderId"), input, actor: context.staff.actor, save: save).jsonResponse()
        }
        routes.staff(.orders).post("/api/orders/:orderId/returns") { request, context in
            let input = try await request.decodeJSON(ReturnInput.self, context: context)
            let id = try context.parameters.require("orderId")
            _ = try await OrderReturns(database: context.database).create(orderID: id, input, actor: context.staff.actor)
            return try await orders(context).readable(id: id, byStaff: true, customerID: nil, cartSecret: nil).jsonResponse(status: .created)
        }
    }

    func orders(_ context: some StoreRequestContext) throws -> Orders {
        Orders(database: context.database)
    }
}
