import HTTPTypes
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// On the HTML routes: whatever a page throws becomes a friendly page with the right status
/// (404 for unknown addresses, 403 for a refused form token), never a stack trace or JSON.
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let pages: WebPages

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch is FormTokenRefused {
            return await page(
                request, context: context, status: 403, heading: "This form has expired",
                message: "The form was sent without its security token, or from another page. Go back, reload the page and try again.")
        } catch {
            let problem = ProblemRenderer.problem(for: error, context: context)
            let heading: String
            switch problem.status {
            case 404: heading = "Page not found"
            case 503: heading = problem == .storeReadOnly ? "One moment, please" : "This store is resting"
            case 429: heading = "Slow down a little"
            case 500...: heading = "Something went wrong"
            default: heading = problem.title
            }
            let message =
                problem.status == 404 ? "We could not find what you were looking for. It may have moved or sold out." : (problem.detail ?? problem.title)
            var response = await page(request, context: context, status: problem.status, heading: heading, message: message)
            for (name, value) in problem.headers { if let field = HTTPField.Name(name) { response.headers[field] = value } }
            return response
        }
    }

    func page(_ request: Request, context: AppContext, status: Int, heading: String, message: String) async -> Response {
        let model = ErrorPage(status: status, heading: heading, message: message)
        var settings = StoreSettings(name: context.tenant?.storeName ?? "Leopard", currency: "USD", contactEmail: nil)
        if let database = context.database, let loaded = try? await StoreSettings.load(from: database) { settings = loaded }
        var chrome = StorefrontChrome(
            title: "\(heading) · \(settings.name)", description: message, canonical: request.uri.path, settings: settings,
            stylesheet: pages.assets.stylesheet.path, year: "")
        chrome.noindex = true
        let frame = PageRenderer.Frame(csrf: "", storeName: settings.name)
        let html =
            (try? pages.renderer.render("shared/error", page: model, frame: frame, layout: "shared/storefront-layout", chrome: chrome))
            ?? "<!doctype html><title>\(status)</title><h1>Error \(status)</h1>"
        return pages.html(html, status: .init(code: status), request: request)
    }
}
