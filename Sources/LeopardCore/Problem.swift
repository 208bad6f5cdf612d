/// An error that reaches a client: rendered as `application/problem+json` (RFC 9457) on the API
/// and as a friendly page in HTML.
public struct Problem: Error, Sendable, Equatable {
    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var status: Int
    public var type: String
    public var title: String
    public var detail: String?
    public var errors: [FieldError]
    /// Extra response headers, such as `Retry-After`.
    public var headers: [String: String]

    public init(status: Int, type: String, title: String, detail: String? = nil, errors: [FieldError] = [], headers: [String: String] = [:]) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    public static let base = "https://leopard.dev/problems/"

    public static func badRequest(_ detail: String) -> Problem {
        Problem(status: 400, type: base + "bad-request", title: "Bad request", detail: detail)
    }

    public static func validation(_ errors: [FieldError], detail: String = "The request has invalid fields.") -> Problem {
        Problem(status: 422, type: base + "validation", title: "Invalid request", detail: detail, errors: errors)
    }

    public static func invalid(_ field: String, _ message: String) -> Problem {
        validation([FieldError(field: field, message: message)])
    }

    public static func unauthorized(_ detail: String) -> Problem {
        Problem(status: 401, type: base + "unauthorized", title: "Unauthorized", detail: detail, headers: ["WWW-Authenticate": "Bearer"])
    }

    public static func forbidden(_ detail: String) -> Problem {
        Problem(status: 403, type: base + "forbidden", title: "Forbidden", detail: detail)
    }

    public static func notFound(_ detail: String) -> Problem {
        Problem(status: 404, type: base + "not-found", title: "Not found", detail: detail)
    }

    public static func conflict(_ detail: String, errors: [FieldError] = []) -> Problem {
        Problem(status: 409, type: base + "conflict", title: "Conflict", detail: detail, errors: errors)
    }

    public static func payloadTooLarge(limit: Int) -> Problem {
        Problem(status: 413, type: base + "payload-too-large", title: "Payload too large", detail: "The request body is larger than \(limit) bytes.")
    }

    public static func unsupportedMediaType(_ detail: String) -> Problem {
        Problem(status: 415, type: base + "unsupported-media-type", title: "Unsupported media type", detail: detail)
    }

    public static func tooManyRequests(retryAfterSeconds: Int, detail: String) -> Problem {
        Problem(status: 429, type: base + "rate-limited", title: "Too many requests", detail: detail, headers: ["Retry-After": String(retryAfterSeconds)])
    }

    public static func unavailable(_ detail: String, retryAfterSeconds: Int? = nil) -> Problem {
        Problem(
            status: 503, type: base + "unavailable", title: "Service unavailable", detail: detail,
            headers: retryAfterSeconds.map { ["Retry-After": String($0)] } ?? [:])
    }

    /// A write to a store whose database is being moved to another server: it is read-only for
    /// the moment.
    public static var storeReadOnly: Problem {
        Problem(
            status: 503, type: base + "read-only", title: "Store is read-only for a moment",
            detail: "This store is moving to another server; changes are paused for a few seconds. Nothing was changed: try again shortly.",
            headers: ["Retry-After": "5"])
    }

    public static func internalError(requestID: String?) -> Problem {
        Problem(
            status: 500, type: base + "internal", title: "Internal error",
            detail: "Something went wrong on our side" + (requestID.map { " (request \($0))" } ?? "") + ".")
    }
}
