import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import MultipartKit
import NIOCore

/// Product images: multipart uploads (JPEG, PNG, WebP or GIF by their bytes, at most 10 MiB)
/// kept in the store's own folder and served with year-long cache headers, or external URLs.
struct ProductImageRoutes {
    let media: MediaStorage

    struct Upload {
        var file: ByteBuffer?
        var alt: String?

        /// Reads the `file` and `alt` parts of a multipart/form-data body.
        init(_ buffer: ByteBuffer, boundary: String) throws {
            let parser = MultipartParser(boundary: boundary)
            var parts: [MultipartPart] = []
            var current = MultipartPart(body: ByteBuffer())
            parser.onHeader = { name, value in current.headers.add(name: name, value: value) }
            parser.onBody = { chunk in current.body.writeBuffer(&chunk) }
            parser.onPartComplete = {
                parts.append(current)
                current = MultipartPart(body: ByteBuffer())
            }
            try parser.execute(buffer)
            file = parts.first { $0.name == "file" }?.body
            alt = parts.first { $0.name == "alt" }.map { String(buffer: $0.body) }
        }
    }

    struct External: Decodable {
        var url: String
        var alt: String?
    }

    func register(on router: Router<AppContext>) {
        router.post("/api/products/:product/images", use: add)
        router.delete("/api/products/:product/images/:imageId") { _, context in
            _ = try context.requireStaff()
            let (tenant, _) = try context.store()
            let outcome = try await ProductRoutes.catalog(context).removeImage(
                productID: try context.parameters.require("product"), imageID: try context.parameters.require("imageId"))
            guard outcome.removed else { throw Problem.notFound("This product has no such image.") }
            if let file = outcome.fileName { await media.remove(tenantID: tenant.id, fileName: file) }
            return Response(status: .noContent)
        }
        router.get("/media/:file") { _, context in
            let (tenant, _) = try context.store()
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

    @Sendable func add(_ request: Request, context: AppContext) async throws -> Response {
        let staff = try context.requireStaff()
        _ = staff
        let (tenant, _) = try context.store()
        let productID = try context.parameters.require("product")
        let catalog = try await ProductRoutes.catalog(context)
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("multipart/form-data") else {
            let external = try await request.decodeJSON(External.self, context: context)
            return try await catalog.addImage(productID: productID, url: external.url, alt: external.alt ?? "", fileName: nil).jsonResponse(status: .created)
        }
        guard let boundary = Self.boundary(contentType) else { throw Problem.badRequest("The multipart body has no boundary.") }
        guard try await catalog.find(productID, includeHidden: true)?.id == productID else {
            throw Problem.notFound("There is no product \(productID.prefix(64)).")
        }
        let limit = ImageFormat.maximumBytes + 64 * 1024
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem.payloadTooLarge(limit: ImageFormat.maximumBytes)
        }
        let upload: Upload
        do {
            upload = try Upload(buffer, boundary: boundary)
        } catch {
            throw Problem.badRequest("The multipart body could not be read.")
        }
        guard let file = upload.file, file.readableBytes > 0 else { throw Problem.invalid("file", "is required: send the image in a part named file") }
        guard file.readableBytes <= ImageFormat.maximumBytes else { throw Problem.payloadTooLarge(limit: ImageFormat.maximumBytes) }
        guard let format = ImageFormat.detect(file.readableBytesView) else {
            throw Problem.unsupportedMediaType("The file is not a JPEG, PNG, WebP or GIF image.")
        }
        let fileName = Identifier.make("img") + "." + format.fileExtension
        try await media.write(file, tenantID: tenant.id, fileName: fileName)
        do {
            return try await catalog.addImage(productID: productID, url: "/media/\(fileName)", alt: upload.alt ?? "", fileName: fileName).jsonResponse(status: .created)
        } catch {
            await media.remove(tenantID: tenant.id, fileName: fileName)
            throw error
        }
    }

    static func boundary(_ contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return value.isEmpty || value.count > 70 ? nil : value
            }
        }
        return nil
    }
}
