import Foundation
import HTTPTypes
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import NIOCore

/// Answers a shopper's catalog read from the cache when the store's catalog has not changed
/// since it was rendered; renders and stores it otherwise. The catalog version is read from the
/// database unless nothing was written through this process since it was last read (under a
/// second ago): writes here show at once, writes by other processes within a second. `If-None-Match` with the current
/// ETag gets a 304. Errors (a 404, a 422) are never cached.
struct CachedCatalogResponse {
    let cache: ResponseCache

    func respond(to request: Request, context: some StoreRequestContext, _ render: @Sendable () async throws -> some Encodable) async throws -> Response {
        let (tenant, database) = (context.tenant, context.database)
        let version = try await cache.catalogVersion(tenantID: tenant.id, database: database)
        let etag = "W/\"c\(version)\""
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .eTag: etag, .cacheControl: "no-cache"]
        if request.headers[.ifNoneMatch] == etag {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        let resource = request.uri.description
        if let body = cache.body(tenantID: tenant.id, resource: resource, version: version) {
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        }
        let body = ByteBuffer(data: try JSONBodyEncoder.encode(try await render()))
        cache.store(body, tenantID: tenant.id, resource: resource, version: version)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}
