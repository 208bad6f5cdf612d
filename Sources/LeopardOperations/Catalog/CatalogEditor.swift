import Foundation
import LeopardCommerce
import LeopardCore
import NIOCore

/// Changes to a store's catalog that touch its media files too, for the products API and the
/// admin alike: a file a change leaves unused is removed, and an upload whose product cannot
/// take it leaves no file behind.
public struct CatalogEditor: Sendable {
    public let catalog: ProductCatalog
    public let media: MediaStorage
    public let tenantID: String

    public init(catalog: ProductCatalog, media: MediaStorage, tenantID: String) {
        self.catalog = catalog
        self.media = media
        self.tenantID = tenantID
    }

    public func update(id: String, with input: ProductInput, replacing: Bool, actor: String) async throws -> Product {
        let (product, orphans) = try await catalog.update(id: id, with: input, replacing: replacing, actor: actor)
        for file in orphans { await media.remove(tenantID: tenantID, fileName: file) }
        return product
    }

    public func delete(id: String) async throws {
        guard let files = try await catalog.delete(id: id) else { throw Problem.notFound("There is no product \(id.prefix(64)).") }
        for file in files { await media.remove(tenantID: tenantID, fileName: file) }
    }

    public func removeImage(productID: String, imageID: String) async throws {
        let outcome = try await catalog.removeImage(productID: productID, imageID: imageID)
        guard outcome.removed else { throw Problem.notFound("This product has no such image.") }
        if let file = outcome.fileName { await media.remove(tenantID: tenantID, fileName: file) }
    }

    /// An uploaded image: JPEG, PNG, WebP or GIF by its bytes, at most 10 MiB, in the part named
    /// `file` of a multipart/form-data body (with `alt` beside it). The body is read only once
    /// the product is known to exist.
    public func upload(productID: String, contentType: String, body: () async throws -> ByteBuffer) async throws -> Product {
        guard let boundary = Self.boundary(contentType) else { throw Problem.badRequest("The multipart body has no boundary.") }
        guard try await catalog.find(productID, includeHidden: true)?.id == productID else {
            throw Problem.notFound("There is no product \(productID.prefix(64)).")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body()
        } catch is NIOTooManyBytesError {
            throw Problem.payloadTooLarge(limit: ImageFormat.maximumBytes)
        }
        let upload: ImageUpload
        do {
            upload = try ImageUpload(buffer, boundary: boundary)
        } catch {
            throw Problem.badRequest("The multipart body could not be read.")
        }
        guard let file = upload.file, file.readableBytes > 0 else { throw Problem.invalid("file", "is required: send the image in a part named file") }
        guard file.readableBytes <= ImageFormat.maximumBytes else { throw Problem.payloadTooLarge(limit: ImageFormat.maximumBytes) }
        guard let format = ImageFormat.detect(file.readableBytesView) else {
            throw Problem.unsupportedMediaType("The file is not a JPEG, PNG, WebP or GIF image.")
        }
        let fileName = Identifier.make("img") + "." + format.fileExtension
        try await media.write(file, tenantID: tenantID, fileName: fileName)
        do {
            return try await catalog.addImage(productID: productID, url: "/media/\(fileName)", alt: upload.alt ?? "", fileName: fileName)
        } catch {
            await media.remove(tenantID: tenantID, fileName: fileName)
            throw error
        }
    }

    /// The most an upload's body may be: the image and the multipart framing around it.
    public static let uploadLimit = ImageFormat.maximumBytes + 64 * 1024

    public static func boundary(_ contentType: String) -> String? {
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

/// The `file` and `alt` parts of a multipart/form-data body.
struct ImageUpload {
    var file: ByteBuffer?
    var alt: String?

    init(_ buffer: ByteBuffer, boundary: String) throws {
        let form = try MultipartForm(buffer, boundary: boundary)
        file = form.first(named: "file")?.body
        alt = form.first(named: "alt").map { String(buffer: $0.body) }
    }
}
