import Foundation
import HTTPTypes
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import NIOCore

/// Answers a shopper's catalog read from the cache when the store's catalog has not changed
/// since it was rendered and the render is younger than `ResponseCache.stockMaxAge` (stock
/// changes do not raise the catalog version); renders and stores it otherwise. The catalog
/// version is read from the database unless nothing was written through this process since it
/// was last read (under a second ago): writes here show at once, writes by other processes
/// within a second. The ETag is a digest of the body, so `If-None-Match` gets a 304 exactly
/// when the response would be the same bytes. Errors (a 404, a 422) are never cached.
struct CachedCatalogResponse {
    let cache: ResponseCache

    func respond(to request: Request, context: some StoreRequestContext, _ render: @Sendable () async throws -> some Encodable) async throws -> Response {
        let (tenant, database) = (context.tenant, context.database)
        let version = try await cache.catalogVersion(tenantID: tenant.id, database: database)
        let resource = request.uri.description
        let body: ByteBuffer
        let tag: String
        if let entry = cache.entry(tenantID: tenant.id, resource: resource, version: version) {
            (body, tag) = (entry.body, entry.tag)
        } else {
            // Aged from before the render's reads, so the stock it shows is never older than the entry's age.
            let started = ContinuousClock.now
            body = ByteBuffer(data: try JSONBodyEncoder.encode(try await render()))
            tag = cache.store(body, tenantID: tenant.id, resource: resource, version: version, now: started)
        }
        let etag = "W/\"c\(version)-\(tag)\""
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .eTag: etag, .cacheControl: "no-cache"]
        if request.headers[.ifNoneMatch] == etag {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}
