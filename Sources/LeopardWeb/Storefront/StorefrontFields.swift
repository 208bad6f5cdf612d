// The storefront's view models, by field name, for the templates (see `TemplateFields`).
// A test renders each model both ways and compares (`TemplateFieldsTests`).

extension StorefrontChrome: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "title": { $0.title }, "description": { $0.description }, "canonical": { $0.canonical }, "ogType": { $0.ogType },
        "ogImage": { $0.ogImage }, "jsonLD": { $0.jsonLD }, "noindex": { $0.noindex }, "refresh": { $0.refresh }, "logoUrl": { $0.logoUrl },
        "themeCSS": { $0.themeCSS }, "stylesheet": { $0.stylesheet }, "cartCount": { $0.cartCount },
        "customerSignedIn": { $0.customerSignedIn }, "searchQuery": { $0.searchQuery }, "year": { $0.year },
    ]
}

extension ProductCard: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "url": { $0.url }, "title": { $0.title }, "price": { $0.price }, "compareAt": { $0.compareAt },
        "imageUrl": { $0.imageUrl }, "imageAlt": { $0.imageAlt }, "soldOut": { $0.soldOut },
    ]
}

extension HomePage: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "headline": { $0.headline }, "tagline": { $0.tagline }, "featured": { $0.featured }, "hasProducts": { $0.hasProducts },
    ]
}

extension CategoryLink: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = ["name": { $0.name }, "url": { $0.url }, "current": { $0.current }]
}

extension CatalogPage: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "heading": { $0.heading }, "query": { $0.query }, "categories": { $0.categories }, "allCurrent": { $0.allCurrent },
        "products": { $0.products }, "nextUrl": { $0.nextUrl }, "firstUrl": { $0.firstUrl }, "empty": { $0.empty },
    ]
}

extension ProductPage: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "title": { $0.title }, "slug": { $0.slug }, "description": { $0.description }, "price": { $0.price },
        "compareAt": { $0.compareAt }, "mainImage": { $0.mainImage }, "thumbnails": { $0.thumbnails },
        "hasThumbnails": { $0.hasThumbnails }, "variants": { $0.variants }, "hasChoice": { $0.hasChoice },
        "singleVariantID": { $0.singleVariantID }, "inStock": { $0.inStock }, "stockText": { $0.stockText },
        "added": { $0.added }, "error": { $0.error },
    ]
}

extension ProductPage.Image: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = ["url": { $0.url }, "alt": { $0.alt }]
}

extension ProductPage.VariantChoice: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "id": { $0.id }, "label": { $0.label }, "selected": { $0.selected }, "soldOut": { $0.soldOut },
    ]
}

extension ErrorPage: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = ["status": { $0.status }, "heading": { $0.heading }, "message": { $0.message }]
}
