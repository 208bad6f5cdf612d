import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// The storefront's browsing pages: home, catalog with category filter and search, product
/// pages, and what search engines read (`robots.txt`, `sitemap.xml`).
struct StorefrontRoutes {
    let pages: WebPages
    let pageCache: StorefrontPageCache

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/", use: home)
        router.get("/products", use: catalog)
        router.get("/products/:slug", use: product)
        router.get("/collections/:slug") { request, context in
            let slug = try context.parameters.require("slug")
            return try await pageCache.respond(request, context: context) { visit in try await catalog(visit, request: request, collection: slug) }
        }
        router.get("/robots.txt") { request, context in
            let visit = try await StorefrontVisit(request, context: context, pages: pages)
            let text =
                "User-agent: *\nDisallow: /admin\nDisallow: /cart\nDisallow: /checkout\nDisallow: /account\nDisallow: /api/\nSitemap: \(visit.absolute("/sitemap.xml"))\n"
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: .init(string: text)))
        }
        router.get("/sitemap.xml", use: sitemap)
    }

    @Sendable func home(_ request: Request, context: StoreContext) async throws -> Response {
        try await pageCache.respond(request, context: context) { visit in try await home(visit) }
    }

    func home(_ visit: StorefrontVisit) async throws -> String {
        var query = ProductQuery()
        query.status = .active
        query.limit = 8
        let featured = try await catalog(visit).list(query).data
        let cart = await visit.cart()
        let signedIn = await visit.customer() != nil
        let chrome = visit.chrome(
            title: visit.settings.name, description: "Shop \(visit.settings.name): the newest products, in stock and ready to ship.", path: "/", cart: cart,
            signedIn: signedIn)
        return try visit.html("storefront/home", HomePage(storeName: visit.settings.name, featured: featured), chrome: chrome)
    }

    @Sendable func catalog(_ request: Request, context: StoreContext) async throws -> Response {
        try await pageCache.respond(request, context: context) { visit in try await catalog(visit, request: request) }
    }

    /// The catalog, all of it or searched; `collection` is a category's own page,
    /// `/collections/SLUG` (the same list as `/products?category=SLUG`, with its own address).
    func catalog(_ visit: StorefrontVisit, request: Request, collection: String? = nil) async throws -> String {
        var parameters = request.queryDictionary
        if let collection { parameters["category"] = collection }
        var query: ProductQuery
        do {
            var wanted: [String: String] = ["limit": "24"]
            for name in ["q", "category", "cursor", "sort"] { if let value = parameters[name], !value.isEmpty { wanted[name] = value } }
            query = try ProductQuery(parameters: wanted, includeHidden: false)
        } catch {
            // A bad cursor or sort from an old link: start again from the first page.
            query = try ProductQuery(parameters: ["limit": "24"], includeHidden: false)
        }
        let categories = try await Categories(database: visit.database).list(page: PageRequest(limit: 100)).data
        let selected = parameters["category"].flatMap { key in categories.first { $0.slug == key || $0.id == key } }
        if collection != nil, selected == nil { throw Problem.notFound("There is no collection at this address.") }
        let page = try await catalog(visit).list(query)
        let search = parameters["q"]?.trimmingWhitespace() ?? ""
        func link(cursor: String?) -> String {
            var items: [URLQueryItem] = []
            if !search.isEmpty { items.append(.init(name: "q", value: search)) }
            if let selected, collection == nil { items.append(.init(name: "category", value: selected.slug)) }
            if let cursor { items.append(.init(name: "cursor", value: cursor)) }
            var components = URLComponents()
            components.path = selected.map { collection == nil ? "/products" : "/collections/\($0.slug)" } ?? "/products"
            components.queryItems = items.isEmpty ? nil : items
            return components.string ?? "/products"
        }
        let heading = !search.isEmpty ? "Search results for “\(search.prefix(100))”" : (selected?.name ?? "All products")
        let model = CatalogPage(
            heading: heading, query: search,
            categories: categories.map { CategoryLink(name: $0.name, url: "/collections/\($0.slug)", current: $0.id == selected?.id) },
            allCurrent: selected == nil && search.isEmpty, products: page.data,
            nextUrl: page.nextCursor.map { link(cursor: $0) }, firstUrl: parameters["cursor"] != nil ? link(cursor: nil) : nil)
        let cart = await visit.cart()
        let signedIn = await visit.customer() != nil
        var chrome = visit.chrome(
            title: selected?.name ?? (search.isEmpty ? "All products" : "Search"),
            description: selected.map { $0.description.isEmpty ? "Shop \($0.name) at \(visit.settings.name)." : $0.description }
                ?? "Every product at \(visit.settings.name).",
            path: selected.map { "/collections/\($0.slug)" } ?? "/products", cart: cart, signedIn: signedIn, search: search)
        chrome.noindex = !search.isEmpty || parameters["cursor"] != nil
        return try visit.html("storefront/catalog", model, chrome: chrome)
    }

    @Sendable func product(_ request: Request, context: StoreContext) async throws -> Response {
        let slug = try context.parameters.require("slug")
        return try await pageCache.respond(request, context: context) { visit in try await product(visit, slug: slug, request: request) }
    }

    func product(_ visit: StorefrontVisit, slug: String, request: Request) async throws -> String {
        guard slug.utf8.count <= 200, let product = try await catalog(visit).find(slug, includeHidden: false), product.status == .active else {
            throw Problem.notFound("There is no product at this address.")
        }
        let parameters = request.queryDictionary
        let model = ProductPage(product, selectedVariantID: parameters["variant"], added: parameters["added"] == "1", error: nil)
        let cart = await visit.cart()
        let signedIn = await visit.customer() != nil
        let summary = product.description.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        var chrome = visit.chrome(
            title: product.seoTitle ?? product.title,
            description: product.seoDescription ?? (summary.isEmpty ? "\(product.title) at \(visit.settings.name)." : summary),
            path: "/products/\(product.slug)", cart: cart, signedIn: signedIn)
        chrome.ogType = "product"
        chrome.jsonLD = ProductStructuredData.json(for: product, storeName: visit.settings.name, absolute: visit.absolute)
        chrome.ogImage = product.images.first.map { $0.url.hasPrefix("/") ? visit.absolute($0.url) : $0.url }
        return try visit.html("storefront/product", model, chrome: chrome)
    }

    @Sendable func sitemap(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await StorefrontVisit(request, context: context, pages: pages)
        struct Model { let urls: [SitemapEntry] }
        let xml = try pages.renderer.renderBare("storefront/sitemap", model: Model(urls: try await sitemapEntries(visit)))
        return Response(
            status: .ok, headers: [.contentType: "application/xml; charset=utf-8", .cacheControl: "public, max-age=600"],
            body: .init(byteBuffer: .init(string: xml)))
    }

    struct SitemapEntry {
        let loc: String
        let lastmod: String?
    }

    /// The home page, the catalog, each category, and up to 5,000 products, newest first (a
    /// sitemap holds at most 50,000 addresses).
    func sitemapEntries(_ visit: StorefrontVisit) async throws -> [SitemapEntry] {
        typealias Entry = SitemapEntry
        var entries = [Entry(loc: visit.absolute("/"), lastmod: nil), Entry(loc: visit.absolute("/products"), lastmod: nil)]
        for category in try await Categories(database: visit.database).list(page: PageRequest(limit: 100)).data {
            entries.append(Entry(loc: visit.absolute("/collections/\(category.slug)"), lastmod: nil))
        }
        // Up to 5,000 products, newest first (a sitemap holds at most 50,000 addresses).
        var query = ProductQuery()
        query.status = .active
        query.limit = 100
        for _ in 0..<50 {
            let page = try await catalog(visit).list(query)
            entries += page.data.map { Entry(loc: visit.absolute("/products/\($0.slug)"), lastmod: String($0.updatedAt.prefix(10))) }
            guard let next = page.nextCursor else { break }
            query.cursor = next
        }
        return entries
    }

    func catalog(_ visit: StorefrontVisit) -> ProductCatalog {
        ProductCatalog(database: visit.database, currency: visit.settings.currency)
    }
}
