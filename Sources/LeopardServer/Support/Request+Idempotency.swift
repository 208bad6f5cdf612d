import Hummingbird
import LeopardCommerce
import LeopardOperations
import NIOCore

extension Request {
    /// The request's `Idempotency-Key` (checked: 1 to 255 visible ASCII characters), scoped to
    /// its caller, with the fingerprint of its method, path and JSON body; nil without a key.
    func idempotency(_ context: StoreContext, body: ByteBuffer) throws -> IdempotentRequest? {
        guard let key = headers[CartRoutes.idempotencyHeader] else { return nil }
        try IdempotencyKeys.validate(key)
        return IdempotentRequest(
            key: IdempotencyKeys.scoped(key, caller: CartRoutes.caller(self, context)),
            fingerprint: IdempotencyKeys.fingerprint(method: method.rawValue, path: uri.path, body: body.readableBytesView))
    }
}

extension IdempotencyKeys.Stored {
    /// The stored answer as it was first given, marked `Idempotent-Replayed: true` on a replay.
    var response: Response {
        var headers: HTTPFields = [.contentType: status >= 400 ? "application/problem+json" : "application/json; charset=utf-8"]
        if replayed { headers[CartRoutes.replayedHeader] = "true" }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
