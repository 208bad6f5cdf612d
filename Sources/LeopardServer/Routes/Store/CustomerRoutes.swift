import Hummingbird
import LeopardCommerce
import LeopardCore

/// Shopper accounts (register, sign in, own orders and addresses) and the staff's customer list.
struct CustomerRoutes {
    let services: LeopardServices

    func register(on routes: StoreRouter) {
        routes.anyone.post("/api/customers/login") { request, context in
            let tenant = context.tenant
            let input = try await request.decodeJSON(StaffAuthRoutes.Credentials.self, context: context)
            let byAddress = "customer:\(tenant.id):\(context.clientAddress ?? "local")"
            let byEmail = "customer:\(tenant.id):\(input.email.lowercased().prefix(254))"
            let attempt = try await LoginThrottle(limiter: services.loginLimiter).begin(byAddress, byEmail)
            guard let session = try await customers(context).login(email: input.email, password: input.password) else {
                throw Problem.unauthorized("The e-mail address or password is wrong.")
            }
            await attempt.succeeded()
            return try session.jsonResponse()
        }
        routes.customer.post("/api/customers/logout") { _, context in
            try await customers(context).logout(token: context.bearerToken)
            return Response(status: .noContent)
        }
        routes.customer.get("/api/customers/me") { _, context in
            try context.customer.jsonResponse()
        }
        routes.customer.get("/api/customers/me/orders") { request, context in
            let customer = context.customer
            let query = request.queryDictionary
            return try await Orders(database: context.database)
                .list(Orders.Filter(account: customer.id), page: try PageRequest(limit: query["limit"], cursor: query["cursor"])).jsonResponse()
        }
        routes.customer.get("/api/customers/me/addresses") { _, context in
            let customer = context.customer
            return try Page(data: try await customers(context).addresses(customerID: customer.id), nextCursor: nil).jsonResponse()
        }
        routes.customer.post("/api/customers/me/addresses") { request, context in
            let customer = context.customer
            struct Body: Decodable {
                let address: Address
                let isDefault: Bool?
            }
            let body = try await request.decodeJSON(Body.self, context: context)
            return try await customers(context).addAddress(customerID: customer.id, address: body.address, isDefault: body.isDefault ?? false)
                .jsonResponse(status: .created)
        }
        routes.staff(.customers).get("/api/customers") { request, context in
            let query = request.queryDictionary
            if let q = query["q"], q.count > 200 { throw Problem.invalid("q", "must be at most 200 characters") }
            return try await customers(context).list(search: query["q"], page: try PageRequest(limit: query["limit"], cursor: query["cursor"])).jsonResponse()
        }
        routes.staff(.customers).get("/api/customers/:customerId") { _, context in
            let id = try context.parameters.require("customerId")
            guard let record = try await CustomerRecords(database: context.database).record(id: id, withOrders: context.staff.can(.orders)) else {
                throw Problem.notFound("There is no customer \(id.prefix(64)).")
            }
            return try record.jsonResponse()
        }
        routes.staff(.customers).patch("/api/customers/:customerId") { request, context in
            let input = try await request.decodeJSON(CustomerRecords.TagsInput.self, context: context)
            return try await CustomerRecords(database: context.database)
                .setTags(id: try context.parameters.require("customerId"), input, actor: context.staff.actor, withOrders: context.staff.can(.orders))
                .jsonResponse()
        }
        routes.staff(.customers).post("/api/customers/:customerId/notes") { request, context in
            struct Body: Decodable { let text: String }
            let body = try await request.decodeJSON(Body.self, context: context)
            return try await CustomerRecords(database: context.database)
                .addNote(id: try context.parameters.require("customerId"), text: body.text, actor: context.staff.actor).jsonResponse(status: .created)
        }
    }

    func customers(_ context: some StoreRequestContext) throws -> Customers {
        Customers(database: context.database, hasher: services.passwordHasher)
    }
}
