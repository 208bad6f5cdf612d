import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// The page a mailed cart link opens (a recovery mail, a draft order's payment link). The link
/// opens a button; only its POST uses the link up, so a mail scanner that fetches the link
/// changes nothing. The browser then holds the cart: the cart page for a shopper's own cart,
/// the checkout for an order the store prepared.
struct CartLinkPageRoutes {
    let pages: WebPages

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/cart/restore") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            let form = LinkFormPage(
                heading: "Pick up your cart", message: "Open your cart at \(visit.settings.name) in this browser.", action: "/cart/restore",
                token: request.queryDictionary["token"].map { String($0.prefix(200)) }, button: "Open my cart")
            return try await page(visit, form)
        }
        router.post("/cart/restore") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            let token = String((try await visit.form()["token"] ?? "").prefix(200))
            switch try await CartLinks(database: visit.database).restore(token: token) {
            case .cart(let id, let secret, let prepared):
                let cookie = BrowserSession.cookie(BrowserSession.cartCookie, "\(id).\(secret)", request: request, maxAge: 30 * 24 * 3600)
                return pages.redirect(to: prepared ? "/checkout" : "/cart", cookies: visit.baseCookies + [cookie])
            case .ordered:
                let done = LinkFormPage(
                    heading: "This cart is an order already",
                    message: "It was checked out after the link was sent; the order's confirmation mail has the details.",
                    footer: "Continue shopping", footerLink: "/")
                return try await page(visit, done, status: .conflict)
            case nil:
                let used = LinkFormPage(
                    heading: "This link does not work any more", message: "It was used already, or it has expired. Links to a cart work once, for 14 days.",
                    footer: "Continue shopping", footerLink: "/")
                return try await page(visit, used, status: .notFound)
            }
        }
    }

    func page(_ visit: StorefrontVisit, _ model: LinkFormPage, status: HTTPResponse.Status = .ok) async throws -> Response {
        var chrome = visit.chrome(
            title: model.heading, description: "Your cart at \(visit.settings.name).", path: "/cart", cart: nil, signedIn: await visit.customer() != nil)
        chrome.noindex = true
        return try visit.page("shared/link-form", model, chrome: chrome, status: status)
    }
}
