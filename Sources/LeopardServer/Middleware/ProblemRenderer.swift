import Foundation
import HTTPTypes
import Hummingbird
import LeopardCore
import LeopardPlatform
import LeopardStorage
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Turns any error into an `application/problem+json` response. Errors the code did not expect
/// are logged with the request id and answered with a 500 that reveals nothing.
public enum ProblemRenderer {
    public static let mediaType = "application/problem+json"

    public static func problem(for error: any Error, context: some RequestContext) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let taken as TenantRegistry.SlugTaken:
            return .conflict("The store address \(taken.slug) is taken.", errors: [.init(field: "slug", message: "is taken")])
        case let error as any HTTPResponseError:
            let status = Int(error.status.code)
            let detail = (error as? HTTPError)?.body ?? error.status.reasonPhrase
            switch status {
            case 404: return .notFound(detail == "Not Found" ? "Nothing here." : detail)
            case 413: return .payloadTooLarge(limit: context.maxUploadSize)
            default:
                return Problem(status: status, type: "about:blank", title: error.status.reasonPhrase, detail: detail)
            }
        case let error as HTTPParserError:
            // The client's bytes are not HTTP (a proxy re-sending half a request after a restart,
            // a broken chunk): its fault, not ours, and nothing to wake anyone for.
            context.logger.info("request could not be parsed", metadata: ["error": .string(String(describing: error))])
            return .badRequest("The request could not be read as HTTP.")
        case let error where DatabaseErrors.isReadOnly(error):
            // A write that slipped past the read-only check while the store's database is copied.
            context.logger.notice("write refused: the store's database is read-only (a move)")
            return .storeReadOnly
        case let error where DatabaseErrors.isUnavailable(error):
            context.logger.error("database unavailable", metadata: ["error": .string(DatabaseErrors.summary(error))])
            var problem = Problem.unavailable("The store's database is not reachable right now; try again shortly.")
            problem.headers["Retry-After"] = "5"
            return problem
        default:
            context.logger.error("unhandled error", metadata: ["error": .string(String(reflecting: type(of: error)))])
            return .internalError(requestID: context.logger[metadataKey: "hb.request.id"]?.description)
        }
    }

    public static func response(for error: any Error, context: some RequestContext) -> Response {
        response(for: problem(for: error, context: context))
    }

    public static func response(for problem: Problem) -> Response {
        struct Body: Encodable {
            let type: String
            let title: String
            let status: Int
            let detail: String?
            let errors: [Problem.FieldError]?
        }
        let body = Body(
            type: problem.type, title: problem.title, status: problem.status, detail: problem.detail, errors: problem.errors.isEmpty ? nil : problem.errors)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(body)) ?? Data("{\"status\":\(problem.status)}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = mediaType
        for (name, value) in problem.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(status: .init(code: problem.status), headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}

/// Catches what route handlers throw and renders it as problem+json.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = AppContext

    public init() {}

    public func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return ProblemRenderer.response(for: error, context: context)
        }
    }
}
