import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import NIOCore

/// The catalog API: shoppers read active products; staff write and see every status.
/// Shoppers' reads are served from a cache of rendered responses, checked against the store's
/// catalog version on every request (one indexed read), with an ETag for conditional requests.
struct ProductRoutes {
    let cache: ResponseCache
    let media: MediaStorage

    func register(on routes: StoreRouter) {
        routes.anyone.get("/api/products") { request, context in
            let query = try ProductQuery(parameters: request.queryDictionary, includeHidden: context.staff(holding: .products) != nil)
            guard context.staff(holding: .products) == nil else { return try await Self.catalog(context).list(query).jsonResponse() }
            return try await CachedCatalogResponse(cache: cache).respond(to: request, context: context) {
                try await Self.catalog(context).list(query)
            }
        }
        routes.staff(.products).post("/api/products") { request, context in
            let staff = context.staff
            let input = try await request.decodeJSON(ProductInput.self, context: context)
            return try await Self.catalog(context).create(input, actor: staff.actor).jsonResponse(status: .created)
        }
        routes.staff(.products).get("/api/products/export") { _, context in
            let csv = try await ProductCSV(catalog: try await Self.catalog(context)).export()
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8",
                    .contentDisposition: "attachment; filename=\"products.csv\"",
                ], body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
        routes.staff(.products).post("/api/products/import") { request, context in
            let staff = context.staff
            let contentType = request.headers[.contentType]?.lowercased() ?? "text/csv"
            guard contentType.hasPrefix("text/csv") || contentType.hasPrefix("text/plain") || contentType.hasPrefix("application/csv") else {
                throw Problem.unsupportedMediaType("Send the products as text/csv.")
            }
            let limit = 5 * 1024 * 1024
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: limit)
            } catch is NIOTooManyBytesError {
                throw Problem.payloadTooLarge(limit: limit)
            }
            guard let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes) else {
                throw Problem.badRequest("The file is not UTF-8 text.")
            }
            let report = try await ProductCSV(catalog: try await Self.catalog(context)).importCSV(text, actor: staff.actor)
            return try report.jsonResponse()
        }
        routes.anyone.get("/api/products/:product") { request, context in
            let key = try context.parameters.require("product")
            let find: @Sendable () async throws -> Product = {
                guard let product = try await Self.catalog(context).find(key, includeHidden: context.staff(holding: .products) != nil) else {
                    throw Problem.notFound("There is no product \(key.prefix(64)).")
                }
                return product
            }
            guard context.staff(holding: .products) == nil else { return try await find().jsonResponse() }
            return try await CachedCatalogResponse(cache: cache).respond(to: request, context: context, find)
        }
        routes.staff(.products).put("/api/products/:product") { request, context in try await update(request, context, replacing: true) }
        routes.staff(.products).patch("/api/products/:product") { request, context in try await update(request, context, replacing: false) }
        routes.staff(.products).delete("/api/products/:product") { _, context in
            try await Self.editor(context, media: media).delete(id: try context.parameters.require("product"))
            return Response(status: .noContent)
        }

        routes.staff(.products).post("/api/inventory/adjustments") { request, context in
            let staff = context.staff
            struct Body: Decodable {
                let variantId: String
                let delta: Int
                let reason: String
            }
            let body = try await request.decodeJSON(Body.self, context: context)
            return try await Inventory(database: context.database)
                .adjust(variantID: body.variantId, delta: body.delta, reason: body.reason, actor: staff.actor)
                .jsonResponse(status: .created)
        }
        routes.staff(.products).get("/api/inventory/adjustments") { request, context in
            let query = request.queryDictionary
            return try await Inventory(database: context.database)
                .history(variantID: query["variant_id"], page: try PageRequest(limit: query["limit"], cursor: query["cursor"]))
                .jsonResponse()
        }
    }

    static func catalog(_ context: some StoreRequestContext) async throws -> ProductCatalog {
        ProductCatalog(database: context.database, currency: try await context.storeSettings().currency)
    }

    static func editor(_ context: some StoreRequestContext, media: MediaStorage) async throws -> CatalogEditor {
        CatalogEditor(catalog: try await catalog(context), media: media, tenantID: context.tenant.id)
    }

    func update(_ request: Request, _ context: StaffContext, replacing: Bool) async throws -> Response {
        let staff = context.staff
        let input = try await request.decodeJSON(ProductInput.self, context: context)
        return try await Self.editor(context, media: media)
            .update(id: try context.parameters.require("product"), with: input, replacing: replacing, actor: staff.actor).jsonResponse()
    }
}

/// Categories, and the products in one.
struct CategoryRoutes {
    func register(on routes: StoreRouter) {
        routes.anyone.get("/api/categories") { request, context in
            let query = request.queryDictionary
            return try await categories(context).list(page: try PageRequest(limit: query["limit"], cursor: query["cursor"])).jsonResponse()
        }
        routes.staff(.products).post("/api/categories") { request, context in
            let input = try await request.decodeJSON(CategoryInput.self, context: context)
            return try await categories(context).create(input).jsonResponse(status: .created)
        }
        routes.anyone.get("/api/categories/:category") { _, context in
            try await find(context).jsonResponse()
        }
        routes.anyone.get("/api/categories/:category/products") { request, context in
            let category = try await find(context)
            var parameters = request.queryDictionary
            parameters["category"] = category.id
            let query = try ProductQuery(parameters: parameters, includeHidden: context.staff(holding: .products) != nil)
            return try await ProductRoutes.catalog(context).list(query).jsonResponse()
        }
        routes.staff(.products).put("/api/categories/:category") { request, context in try await update(request, context, replacing: true) }
        routes.staff(.products).patch("/api/categories/:category") { request, context in try await update(request, context, replacing: false) }
        routes.staff(.products).delete("/api/categories/:category") { _, context in
            let id = try context.parameters.require("category")
            guard try await categories(context).delete(id: id) else { throw Problem.notFound("There is no category \(id.prefix(64)).") }
            return Response(status: .noContent)
        }
    }

    func categories(_ context: some StoreRequestContext) throws -> Categories {
        Categories(database: context.database)
    }

    func find(_ context: some StoreRequestContext) async throws -> LeopardCommerce.Category {
        let key = try context.parameters.require("category")
        guard let category = try await categories(context).find(key) else { throw Problem.notFound("There is no category \(key.prefix(64)).") }
        return category
    }

    func update(_ request: Request, _ context: StaffContext, replacing: Bool) async throws -> Response {
        let id = try context.parameters.require("category")
        let input = try await request.decodeJSON(CategoryInput.self, context: context)
        return try await categories(context).update(id: id, with: input, replacing: replacing).jsonResponse()
    }
}
