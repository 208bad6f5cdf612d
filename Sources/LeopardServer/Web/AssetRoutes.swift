import Hummingbird
import NIOCore

/// The fingerprinted stylesheet, cached for a year (its name changes with its content), gzipped
/// for clients that accept it.
struct AssetRoutes {
    let pages: WebPages

    func register(on router: Router<AppContext>) {
        router.get("/assets/:file") { request, _ in
            guard let asset = pages.assets.asset(at: request.uri.path) else { throw HTTPError(.notFound) }
            var headers: HTTPFields = [
                .contentType: asset.contentType,
                .cacheControl: "public, max-age=31536000, immutable",
                .vary: "Accept-Encoding",
                .init("X-Content-Type-Options")!: "nosniff",
            ]
            let body = WebPages.encoded(ByteBuffer(bytes: asset.bytes), headers: &headers, request: request)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        }
    }
}
