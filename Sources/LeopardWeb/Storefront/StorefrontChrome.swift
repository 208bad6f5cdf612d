import LeopardCommerce

/// The storefront layout's model: head tags (title, description, canonical link, Open Graph),
/// the store's theme and logo, and the header's cart count.
public struct StorefrontChrome: Sendable {
    public var title: String
    public var description: String
    public var canonical: String
    public var ogType: String = "website"
    public var ogImage: String?
    /// Structured data for the page (JSON-LD), already safe inside `<script>`.
    public var jsonLD: String?
    public var noindex: Bool = false
    /// Seconds after which the page reloads itself (a payment being confirmed), or nil.
    public var refresh: Int?
    public var logoUrl: String?
    public var themeCSS: String
    public var stylesheet: String
    /// Text, so that a cached page can hold a placeholder for it.
    public var cartCount: String = "0"
    public var customerSignedIn: Bool = false
    public var searchQuery: String = ""
    public var year: String

    public init(title: String, description: String, canonical: String, settings: StoreSettings, stylesheet: String, year: String) {
        self.title = title
        self.description = description
        self.canonical = canonical
        self.logoUrl = settings.logoUrl
        self.themeCSS = ThemeStyle(settings.theme).css
        self.stylesheet = stylesheet
        self.year = year
    }
}

/// A product in a grid: home page, catalog, search results.
public struct ProductCard: Sendable {
    public let url: String
    public let title: String
    public let price: String
    public let compareAt: String?
    public let imageUrl: String?
    public let imageAlt: String
    public let soldOut: Bool

    public init(_ product: Product) {
        url = "/products/\(product.slug)"
        title = product.title
        price = (product.variants.count > 1 && Set(product.variants.map(\.price.amount)).count > 1 ? "From " : "") + MoneyText.format(product.price)
        let compare = product.variants.first { $0.price == product.price }?.compareAtPrice
        compareAt = compare.flatMap { $0.amount > product.price.amount ? MoneyText.format($0) : nil }
        imageUrl = product.images.first?.url
        imageAlt = product.images.first.map { $0.alt.isEmpty ? product.title : $0.alt } ?? product.title
        soldOut = !product.inStock
    }
}

public struct HomePage: Sendable {
    public let headline: String
    public let tagline: String
    public let featured: [ProductCard]
    /// Stored, not computed: templates read values by reflection.
    public let hasProducts: Bool

    public init(storeName: String, featured: [Product]) {
        headline = storeName
        tagline = "Welcome to \(storeName). Browse the newest arrivals below."
        self.featured = featured.map(ProductCard.init)
        hasProducts = !featured.isEmpty
    }
}

public struct CategoryLink: Sendable {
    public let name: String
    public let url: String
    public let current: Bool

    public init(name: String, url: String, current: Bool) {
        self.name = name
        self.url = url
        self.current = current
    }
}

public struct CatalogPage: Sendable {
    public let heading: String
    public let query: String
    public let categories: [CategoryLink]
    public let allCurrent: Bool
    public let products: [ProductCard]
    public let nextUrl: String?
    public let firstUrl: String?
    public let empty: Bool

    public init(heading: String, query: String, categories: [CategoryLink], allCurrent: Bool, products: [Product], nextUrl: String?, firstUrl: String?) {
        self.heading = heading
        self.query = query
        self.categories = categories
        self.allCurrent = allCurrent
        self.products = products.map(ProductCard.init)
        empty = products.isEmpty
        self.nextUrl = nextUrl
        self.firstUrl = firstUrl
    }
}

public struct ProductPage: Sendable {
    public struct Image: Sendable {
        public let url: String
        public let alt: String
    }

    public struct VariantChoice: Sendable {
        public let id: String
        public let label: String
        public let selected: Bool
        public let soldOut: Bool
    }

    public let title: String
    public let slug: String
    public let description: String
    public let price: String
    public let compareAt: String?
    public let mainImage: Image?
    public let thumbnails: [Image]
    public let hasThumbnails: Bool
    public let variants: [VariantChoice]
    public let hasChoice: Bool
    public let singleVariantID: String?
    public let inStock: Bool
    public let stockText: String
    public let added: Bool
    public let error: String?

    public init(_ product: Product, selectedVariantID: String?, added: Bool, error: String?) {
        title = product.title
        slug = product.slug
        description = product.description
        let selected = product.variants.first { $0.id == selectedVariantID } ?? product.variants.first { $0.inStock } ?? product.variants.first
        price = MoneyText.format(selected?.price ?? product.price)
        compareAt = selected?.compareAtPrice.flatMap { $0.amount > (selected?.price.amount ?? 0) ? MoneyText.format($0) : nil }
        let images = product.images.map { Image(url: $0.url, alt: $0.alt.isEmpty ? product.title : $0.alt) }
        // The chosen variant's own image first, when it has one.
        let own = selected?.imageId.flatMap { id in product.images.firstIndex { $0.id == id } }
        mainImage = own.map { images[$0] } ?? images.first
        thumbnails = images.count > 1 ? images : []
        hasThumbnails = images.count > 1
        variants = product.variants.map { variant in
            let label = variant.title + " · " + MoneyText.format(variant.price) + (variant.inStock ? "" : " · sold out")
            return VariantChoice(id: variant.id, label: label, selected: variant.id == selected?.id, soldOut: !variant.inStock)
        }
        hasChoice = product.variants.count > 1
        singleVariantID = product.variants.count == 1 ? product.variants[0].id : nil
        inStock = product.inStock
        if let selected, selected.trackInventory {
            stockText = selected.stock > 0 ? (selected.stock <= 5 ? "Only \(selected.stock) left" : "In stock") : "Sold out"
        } else {
            stockText = product.inStock ? "In stock" : "Sold out"
        }
        self.added = added
        self.error = error
    }
}

public struct ErrorPage: Sendable {
    public let status: Int
    public let heading: String
    public let message: String

    public init(status: Int, heading: String, message: String) {
        self.status = status
        self.heading = heading
        self.message = message
    }
}
