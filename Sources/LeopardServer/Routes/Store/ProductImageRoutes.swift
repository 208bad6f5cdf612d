import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import NIOCore

/// Product images: multipart uploads (JPEG, PNG, WebP or GIF by their bytes, at most 10 MiB)
/// kept in the store's own folder and served with year-long cache headers, or external URLs.
struct ProductImageRoutes {
    let media: MediaStorage

    struct External: Decodable {
        var url: String
        var alt: String?
    }

    func register(on routes: StoreRouter) {
        routes.staff(.products).post("/api/products/:product/images", use: add)
        routes.staff(.products).delete("/api/products/:product/images/:imageId") { _, context in
            try await ProductRoutes.editor(context, media: media)
                .removeImage(productID: try context.parameters.require("product"), imageID: try context.parameters.require("imageId"))
            return Response(status: .noContent)
        }
        routes.staff(.products).put("/api/products/:product/variants/:variantId/image") { request, context in
            struct Body: Decodable { let imageId: String? }
            let body = try await request.decodeJSON(Body.self, context: context)
            return try await ProductRoutes.editor(context, media: media).catalog.setVariantImage(
                productID: try context.parameters.require("product"), variantID: try context.parameters.require("variantId"), imageID: body.imageId
            ).jsonResponse()
        }
        routes.anyone.get("/media/:file") { _, context in
            let tenant = context.tenant
            let name = try context.parameters.require("file")
            guard let format = MediaStorage.format(ofFileName: name), let path = try? media.path(tenantID: tenant.id, fileName: name) else {
                throw Problem.notFound("There is no such file.")
            }
            let body = try await FileIO().loadFile(path: path, context: context)
            return Response(
                status: .ok,
                headers: [.contentType: format.contentType, .cacheControl: "public, max-age=31536000, immutable", .init("X-Content-Type-Options")!: "nosniff"],
                body: body
            )
        }
    }

    @Sendable func add(_ request: Request, context: StaffContext) async throws -> Response {
        let productID = try context.parameters.require("product")
        let editor = try await ProductRoutes.editor(context, media: media)
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("multipart/form-data") else {
            let external = try await request.decodeJSON(External.self, context: context)
            return try await editor.catalog.addImage(productID: productID, url: external.url, alt: external.alt ?? "", fileName: nil).jsonResponse(
                status: .created)
        }
        return try await editor.upload(productID: productID, contentType: contentType) { try await request.body.collect(upTo: CatalogEditor.uploadLimit) }
            .jsonResponse(status: .created)
    }
}
