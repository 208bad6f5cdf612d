import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import LeopardWeb
import NIOCore

/// Products as CSV in the admin (the `products` permission), through the same `ProductCSV` as
/// `/api/products/export` and `/import`: a file is checked first, every bad line listed, and
/// imported all or nothing.
struct AdminProductImportPages {
    let routes: AdminRoutes

    /// The file's limit, as the API's; the form may carry it base64 (a third more).
    static let limit = 5 * 1024 * 1024
    static let formLimit = limit / 3 * 4 + 64 * 1024

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/admin/products/import") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            return try visit.page("admin/product-import", ProductImportPage(), title: "Import products", section: "/admin/products")
        }
        router.get("/admin/products/export") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let csv = try await ProductCSV(catalog: catalog(visit)).export()
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"products.csv\"", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
        router.post("/admin/products/import", use: importFile)
    }

    @Sendable func importFile(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await routes.visit(request, context)
        guard let staff = visit.staff else { return visit.signIn() }
        let form = try await Self.multipart(request, visit: visit)
        let text = try Self.text(of: form)
        let csv = ProductCSV(catalog: catalog(visit))
        guard Self.string(form.first(named: "action")) == "import" else {
            let preview = try await csv.preview(text)
            let model = ProductImportPage(created: preview.created, updated: preview.updated, errors: preview.errors, csv: text, checked: true)
            return try visit.page("admin/product-import", model, title: "Import products", section: "/admin/products")
        }
        switch await visit.attempt({ try await csv.importCSV(text, actor: staff.actor) }) {
        case .success:
            return routes.pages.redirect(to: "/admin/products?done=imported")
        case .failure(let problem):
            let model = ProductImportPage(errors: problem.errors, checked: true, general: problem.errors.isEmpty ? problem.detail ?? problem.title : nil)
            return try visit.page("admin/product-import", model, title: "Import products", section: "/admin/products", status: problem.pageStatus)
        }
    }

    func catalog(_ visit: AdminVisit) -> ProductCatalog {
        ProductCatalog(database: visit.database, currency: visit.settings.currency)
    }

    /// The form's parts, once its form token (one of them) is right.
    static func multipart(_ request: Request, visit: AdminVisit) async throws -> MultipartForm {
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundary = CatalogEditor.boundary(contentType)
        else { throw Problem.badRequest("Send the file as multipart/form-data.") }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: formLimit)
        } catch is NIOTooManyBytesError {
            throw Problem.payloadTooLarge(limit: limit)
        }
        let form: MultipartForm
        do {
            form = try MultipartForm(buffer, boundary: boundary)
        } catch {
            throw Problem.badRequest("The form could not be read.")
        }
        try visit.check(string(form.first(named: BrowserSession.formField)))
        return form
    }

    static func string(_ part: MultipartForm.Part?) -> String? {
        guard let part, part.body.readableBytes < 1024 else { return nil }
        return part.body.getString(at: part.body.readerIndex, length: part.body.readableBytes)
    }

    /// The file's text (the uploaded file, or the checked one carried base64): valid UTF-8
    /// without NUL characters, at most `limit` bytes; a 400 (or 413) saying what is wrong.
    static func text(of form: MultipartForm) throws -> String {
        var bytes: [UInt8]
        if let carried = form.first(named: "csvBase64") {
            guard let data = Data(base64Encoded: carried.body.getString(at: carried.body.readerIndex, length: carried.body.readableBytes) ?? "") else {
                throw Problem.badRequest("The checked file could not be read; check it again.")
            }
            bytes = Array(data)
        } else if let file = form.first(named: "file") {
            bytes = Array(file.body.readableBytesView)
        } else {
            bytes = []
        }
        guard !bytes.isEmpty else { throw Problem.invalid("file", "is required: choose a CSV file") }
        guard bytes.count <= limit else { throw Problem.payloadTooLarge(limit: limit) }
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else { throw Problem.badRequest("The file is not UTF-8 text.") }
        return text
    }
}
