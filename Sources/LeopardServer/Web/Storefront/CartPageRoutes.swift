import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardPlatform
import LeopardWeb

/// The cart page and its forms. The cart lives in the store's database; the browser keeps its
/// id and secret in the `lp_cart` cookie.
struct CartPageRoutes {
    let pages: WebPages
    let limiter: RateLimiter

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/cart") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            return try await show(visit, message: nil)
        }
        router.post("/cart/add", use: add)
        router.post("/cart/update") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            let form = try await visit.form()
            guard let cookie = visit.cartCookie, let item = form.text("item") else { return pages.redirect(to: "/cart") }
            guard let quantity = form.text("quantity").flatMap(Int.init), (0...99).contains(quantity) else {
                return try await show(visit, message: "Enter a quantity from 0 to 99.", status: .unprocessableContent)
            }
            do {
                let carts = Carts(database: visit.database)
                if quantity == 0 {
                    _ = try await carts.removeItem(cartID: cookie.id, itemID: item, access: .secret(cookie.secret))
                } else {
                    _ = try await carts.updateItem(cartID: cookie.id, itemID: item, access: .secret(cookie.secret), quantity: quantity)
                }
            } catch let problem as Problem where problem.status < 500 {
                return try await show(
                    visit, message: problem.errors.first?.message.capitalizedFirst ?? problem.detail ?? problem.title, status: .unprocessableContent)
            }
            return pages.redirect(to: "/cart")
        }
        router.post("/cart/remove") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            let form = try await visit.form()
            if let cookie = visit.cartCookie, let item = form.text("item") {
                _ = try? await Carts(database: visit.database).removeItem(cartID: cookie.id, itemID: item, access: .secret(cookie.secret))
            }
            return pages.redirect(to: "/cart")
        }
        registerDiscounts(on: router)
    }

    /// The code form: applied through the same `Carts` service as the API; a code that does
    /// not apply shows its reason at the field.
    func registerDiscounts(on router: RouterGroup<StoreContext>) {
        router.post("/cart/discount") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            let form = try await visit.form()
            guard let cookie = visit.cartCookie else { return pages.redirect(to: "/cart") }
            do {
                _ = try await DiscountRoutes.guessing(context, limiter: limiter) {
                    try await Carts(database: visit.database).addDiscount(cartID: cookie.id, access: .secret(cookie.secret), code: form["code"] ?? "")
                }
            } catch let problem as Problem where problem.status < 500 {
                let code = (form["code"] ?? "").trimmingWhitespace().uppercased().prefix(64)
                let reason = problem.errors.first.map { code.isEmpty || $0.message.hasPrefix(code) ? $0.message : "\(code) \($0.message)" }
                return try await show(
                    visit, message: nil, codeError: (reason ?? problem.detail ?? problem.title).capitalizedFirst, status: .unprocessableContent)
            }
            return pages.redirect(to: "/cart")
        }
        router.post("/cart/discount/remove") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            let form = try await visit.form()
            if let cookie = visit.cartCookie, let code = form.text("code") {
                // A code already gone is what the shopper asked for: nothing to tell them.
                _ = try? await Carts(database: visit.database).removeDiscount(cartID: cookie.id, access: .secret(cookie.secret), code: code)
            }
            return pages.redirect(to: "/cart")
        }
    }

    func show(_ visit: StorefrontVisit, message: String?, codeError: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let cart = await visit.cart()
        var slugs: [String: String] = [:]
        let catalog = ProductCatalog(database: visit.database, currency: visit.settings.currency)
        for id in Set(cart?.items.compactMap(\.productId) ?? []) {
            if let product = try await catalog.find(id, includeHidden: false) { slugs[id] = product.slug }
        }
        let signedIn = await visit.customer() != nil
        var chrome = visit.chrome(title: "Cart", description: "Your cart at \(visit.settings.name).", path: "/cart", cart: cart, signedIn: signedIn)
        chrome.noindex = true
        return try visit.page("storefront/cart", CartPage(cart, slugs: slugs, message: message, codeError: codeError), chrome: chrome, status: status)
    }

    /// Adds a variant to the shopper's open cart, making a cart first when they have none.
    @Sendable func add(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await StorefrontVisit(request, context: context, pages: pages)
        let form = try await visit.form()
        let slug = form.text("product") ?? ""
        guard slug.utf8.count <= 200,
            let product = try await ProductCatalog(database: visit.database, currency: visit.settings.currency).find(slug, includeHidden: false),
            product.status == .active
        else {
            throw Problem.notFound("There is no such product.")
        }
        guard let variantID = form.text("variant"), product.variants.contains(where: { $0.id == variantID }) else {
            return try await refuse(visit, product: product, form: form, message: "Choose an option.")
        }
        guard let quantity = form.text("quantity").flatMap(Int.init), (1...99).contains(quantity) else {
            return try await refuse(visit, product: product, form: form, message: "Enter a quantity from 1 to 99.")
        }
        let cookies: [Cookie]
        do {
            cookies = try await addLine(visit, Carts.LineInput(variantId: variantID, quantity: quantity))
        } catch let problem as Problem where problem.status < 500 {
            return try await refuse(
                visit, product: product, form: form, message: problem.errors.first?.message.capitalizedFirst ?? problem.detail ?? problem.title)
        }
        return pages.redirect(to: "/products/\(product.slug)?added=1", cookies: visit.baseCookies + cookies)
    }

    /// Adds the line to the open cart, or makes a cart with it; the new cart's cookie, if any.
    func addLine(_ visit: StorefrontVisit, _ line: Carts.LineInput) async throws -> [Cookie] {
        let carts = Carts(database: visit.database)
        if let cookie = visit.cartCookie, await visit.cart() != nil {
            _ = try await carts.addItem(cartID: cookie.id, access: .secret(cookie.secret), line: line)
            return []
        }
        let customer = await visit.customer()
        let cart = try await carts.create(Carts.CreateInput(email: customer?.email, items: [line]), customerID: customer?.id)
        guard let secret = cart.secret else { throw Problem.unavailable("The cart could not be made; try again.") }
        return [BrowserSession.cookie(BrowserSession.cartCookie, "\(cart.id).\(secret)", request: visit.request, maxAge: 30 * 24 * 3600)]
    }

    /// The product page again, with why the line was not added.
    func refuse(_ visit: StorefrontVisit, product: Product, form: FormFields, message: String) async throws -> Response {
        let signedIn = await visit.customer() != nil
        let chrome = visit.chrome(
            title: product.title, description: product.title, path: "/products/\(product.slug)", cart: await visit.cart(), signedIn: signedIn)
        return try visit.page(
            "storefront/product", ProductPage(product, selectedVariantID: form.text("variant"), added: false, error: message), chrome: chrome,
            status: .unprocessableContent)
    }
}

extension String {
    /// "is sold out" → "Is sold out".
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
