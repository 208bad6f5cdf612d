import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import LeopardWeb
import NIOCore

/// Products in the admin: list with search and status filter, the form for a new product and
/// for an existing one (with its variants), image upload, delete. Saving goes through the
/// services the products API calls, so the form meets the API's rules and its errors.
struct AdminProductPages {
    let routes: AdminRoutes

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/admin/products", use: list)
        router.get("/admin/products/new") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            return try await form(visit, product: nil, values: ["status": "active", "stock": "0", "taxClass": "standard"], errors: FieldMessages())
        }
        router.post("/admin/products") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            return try await save(visit, product: nil, fields: try await visit.form())
        }
        router.get("/admin/products/:productId") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let product = try await find(visit, context)
            return try await form(visit, product: product, values: Self.values(product, currency: visit.settings.currency), errors: FieldMessages())
        }
        router.post("/admin/products/:productId") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let fields = try await visit.form()
            return try await save(visit, product: try await find(visit, context), fields: fields)
        }
        router.post("/admin/products/:productId/delete") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            _ = try await visit.form()
            let product = try await find(visit, context)
            try await editor(visit).delete(id: product.id)
            return routes.pages.redirect(to: "/admin/products?done=deleted")
        }
        router.post("/admin/products/:productId/images", use: upload)
        router.post("/admin/products/:productId/variants/:variantId/image") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let fields = try await visit.form()
            let product = try await find(visit, context)
            _ = try await editor(visit).catalog.setVariantImage(
                productID: product.id, variantID: try context.parameters.require("variantId"), imageID: fields.text("imageId").map { String($0.prefix(64)) })
            return routes.pages.redirect(to: "/admin/products/\(product.id)?done=saved")
        }
        router.post("/admin/products/:productId/images/:imageId/delete") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            _ = try await visit.form()
            let product = try await find(visit, context)
            let imageID = try context.parameters.require("imageId")
            guard imageID.utf8.count <= 64, imageID.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw Problem.notFound("There is no such image.")
            }
            do {
                try await editor(visit).removeImage(productID: product.id, imageID: imageID)
            } catch let problem as Problem where problem.status == 404 {
                // Removed already (a second click, another tab): the page says so either way.
            }
            return routes.pages.redirect(to: "/admin/products/\(product.id)?done=image-removed")
        }
    }

    func find(_ visit: AdminVisit, _ context: StoreContext) async throws -> Product {
        let id = try context.parameters.require("productId")
        guard Identifier.isWellFormed(id, prefix: "prod"),
            let product = try await ProductCatalog(database: visit.database, currency: visit.settings.currency).find(id, includeHidden: true)
        else {
            throw Problem.notFound("There is no such product.")
        }
        return product
    }

    @Sendable func list(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await routes.visit(request, context)
        guard visit.staff != nil else { return visit.signIn() }
        let parameters = request.queryDictionary
        var wanted: [String: String] = ["limit": "50"]
        for name in ["q", "status", "cursor"] { if let value = parameters[name], !value.isEmpty { wanted[name] = String(value.prefix(200)) } }
        let query = try (try? ProductQuery(parameters: wanted, includeHidden: true)) ?? ProductQuery(parameters: ["limit": "50"], includeHidden: true)
        let page = try await ProductCatalog(database: visit.database, currency: visit.settings.currency).list(query)
        let status = query.status?.rawValue
        let q = parameters["q"]
        let filters =
            [ListPage<ProductRow>.Filter(label: "All", url: pageLink("/admin/products", [("q", q)]), current: status == nil)]
            + ProductStatus.allCases.map {
                .init(label: $0.rawValue.capitalized, url: pageLink("/admin/products", [("q", q), ("status", $0.rawValue)]), current: status == $0.rawValue)
            }
        let model = ListPage(
            rows: page.data.map(ProductRow.init), query: q ?? "",
            nextUrl: page.nextCursor.map { pageLink("/admin/products", [("q", q), ("status", status), ("cursor", $0)]) },
            firstUrl: parameters["cursor"] != nil ? pageLink("/admin/products", [("q", q), ("status", status)]) : nil, filters: filters)
        return try visit.page("admin/products", model, title: "Products", section: "/admin/products")
    }

    func form(
        _ visit: AdminVisit, product: Product?, values: [String: String], errors: FieldMessages, variantValues: [String: [String: String]] = [:],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let categories = try await Categories(database: visit.database).all()
        let model = ProductFormPage(
            product: product, values: values, errors: errors, variantValues: variantValues, currency: visit.settings.currency,
            categories: CategoriesPage.tree(categories).map { (id: $0.category.id, label: String(repeating: "— ", count: $0.depth) + $0.category.name) })
        return try visit.page("admin/product-form", model, title: product?.title ?? "Add a product", section: "/admin/products", status: status)
    }

    static func values(_ product: Product, currency: String) -> [String: String] {
        let single = product.options.isEmpty ? product.variants.first : nil
        return [
            "title": product.title, "description": product.description, "status": product.status.rawValue,
            "tags": product.tags.joined(separator: ", "), "options": optionsText(product.options),
            "price": single.map { MoneyText.decimal($0.price.amount, currency: currency) } ?? "",
            "compareAt": single?.compareAtPrice.map { MoneyText.decimal($0.amount, currency: currency) } ?? "",
            "stock": single.map { String($0.stock) } ?? "0", "sku": single?.sku ?? "",
            "weight": single?.weight.map(String.init) ?? "", "taxClass": product.taxClass.rawValue, "categoryIds": product.categoryIds.joined(separator: ","),
            "seoTitle": product.seoTitle ?? "",
            "seoDescription": product.seoDescription ?? "",
        ]
    }

    static func optionsText(_ options: [ProductOption]) -> String {
        options.map { "\($0.name): \($0.values.joined(separator: ", "))" }.joined(separator: "\n")
    }

    /// `Size: S, M` per line → options; nil with a message when a line has no name or values.
    static func parseOptions(_ text: String) -> (options: [ProductOption], error: String?) {
        var options: [ProductOption] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = String(line).trimmingWhitespace()
            guard !trimmed.isEmpty else { continue }
            guard let colon = trimmed.firstIndex(of: ":") else { return ([], "must be written as Name: value, value (one option per line)") }
            let name = String(trimmed[..<colon]).trimmingWhitespace()
            let values = trimmed[trimmed.index(after: colon)...].split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
            options.append(ProductOption(name: name, values: values))
        }
        return (options, nil)
    }

    /// Every combination of the options' values, as variant option maps.
    static func combinations(_ options: [ProductOption]) -> [[String: String]] {
        options.reduce([[:]]) { partial, option in
            partial.flatMap { combination in option.values.map { value in combination.merging([option.name: value]) { $1 } } }
        }
    }

    func save(_ visit: AdminVisit, product: Product?, fields: FormFields) async throws -> Response {
        var reader = ProductForm(currency: visit.settings.currency)
        let (values, body, variantValues) = reader.read(fields, product: product)
        let problems = reader.problems
        guard problems.isEmpty else {
            return try await form(
                visit, product: product, values: values, errors: FieldMessages(problems, general: "Check the fields marked below."),
                variantValues: variantValues, status: .unprocessableContent)
        }
        let saved = await visit.attempt {
            let input = try body.decoded(as: ProductInput.self)
            let actor = try visit.requireStaff().actor
            guard let product else { return try await editor(visit).catalog.create(input, actor: actor) }
            return try await editor(visit).update(id: product.id, with: input, replacing: false, actor: actor)
        }
        switch saved {
        case .failure(let problem):
            return try await form(
                visit, product: product, values: values, errors: FieldMessages(form: problem), variantValues: variantValues, status: problem.pageStatus)
        case .success(let saved):
            return routes.pages.redirect(to: "/admin/products/\(saved.id)?done=\(product == nil ? "created" : "saved")")
        }
    }

    /// A multipart upload from the product page: the form token is one of the parts; the body
    /// then goes on to the images API as it came.
    @Sendable func upload(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await routes.visit(request, context)
        guard visit.staff != nil else { return visit.signIn() }
        let product = try await find(visit, context)
        let (contentType, buffer) = try await Self.checkedUpload(request, visit: visit)
        let uploaded = await visit.attempt { try await editor(visit).upload(productID: product.id, contentType: contentType) { buffer } }
        if case .failure(let problem) = uploaded {
            let message =
                "The image was not added: " + (problem.detail ?? problem.title) + " "
                + problem.errors.map { "\($0.field) \($0.message)." }.joined(separator: " ")
            let model = ProductFormPage(
                product: product, values: Self.values(product, currency: visit.settings.currency), errors: FieldMessages(general: message),
                variantValues: [:], currency: visit.settings.currency)
            return try visit.page("admin/product-form", model, title: product.title, section: "/admin/products", status: problem.pageStatus)
        }
        return routes.pages.redirect(to: "/admin/products/\(product.id)?done=uploaded")
    }

    /// The catalog and its media files, as the products API changes them.
    func editor(_ visit: AdminVisit) -> CatalogEditor {
        CatalogEditor(
            catalog: ProductCatalog(database: visit.database, currency: visit.settings.currency), media: routes.services.media, tenantID: visit.tenantID)
    }

    /// The upload's content type and body, once its form token (one of its parts) is right.
    static func checkedUpload(_ request: Request, visit: AdminVisit) async throws -> (String, ByteBuffer) {
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundary = CatalogEditor.boundary(contentType)
        else {
            throw Problem.badRequest("Send the image as multipart/form-data.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: CatalogEditor.uploadLimit)
        } catch is NIOTooManyBytesError {
            throw Problem.payloadTooLarge(limit: CatalogEditor.uploadLimit)
        }
        try visit.check(Self.part(named: BrowserSession.formField, in: buffer, boundary: boundary))
        return (contentType, buffer)
    }

    /// The text of one small part of a multipart body, or nil.
    static func part(named name: String, in buffer: ByteBuffer, boundary: String) -> String? {
        // A body that cannot be read has no such part; the upload itself then says why.
        guard let part = (try? MultipartForm(buffer, boundary: boundary))?.first(named: name), part.body.readableBytes < 1024 else {
            return nil
        }
        return String(buffer: part.body)
    }
}
