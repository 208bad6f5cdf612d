import Foundation
import LeopardCore
import Testing

@testable import LeopardCommerce
@testable import LeopardWeb

/// The storefront's models list their fields by hand for speed; these tests keep the lists
/// equal to the stored properties, so a field added to a model cannot go missing on a page.
@Suite("Web: template field lists match the models")
struct TemplateFieldsTests {
    func check<Model: TemplateFields>(_ model: Model, sourceLocation: SourceLocation = #_sourceLocation) {
        let mirror = Mirror(reflecting: model)
        let labels = Set(mirror.children.compactMap(\.label))
        #expect(Set(Model.fields.keys) == labels, "\(Model.self)", sourceLocation: sourceLocation)
        for child in mirror.children {
            guard let label = child.label else { continue }
            #expect(Self.text(Model.fields[label]?(model)) == Self.text(child.value), "\(Model.self).\(label)", sourceLocation: sourceLocation)
        }
    }

    /// A value as text, with optionals (however nested) unwrapped, as the templates see it.
    static func text(_ value: Any?) -> String {
        guard let value else { return "nil" }
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return String(describing: value) }
        return text(mirror.children.first?.value)
    }

    static func product() -> Product {
        let price = Money(amount: 1250, currency: "USD")
        return Product(
            id: "prod_1", title: "Mug", slug: "mug", description: "A mug", status: .active,
            images: [
                ProductImage(id: "img_1", url: "/media/a.png", alt: "A mug", position: 0), ProductImage(id: "img_2", url: "/media/b.png", alt: "", position: 1),
            ],
            options: [ProductOption(name: "Size", values: ["S", "L"])],
            variants: [
                ProductVariant(
                    id: "var_1", sku: "S1", title: "S", options: ["Size": "S"], price: price, compareAtPrice: Money(amount: 1500, currency: "USD"), stock: 2,
                    trackInventory: true),
                ProductVariant(id: "var_2", sku: nil, title: "L", options: ["Size": "L"], price: price, compareAtPrice: nil, stock: 0, trackInventory: true),
            ],
            price: price, stock: 2, inStock: true, tags: [], categoryId: nil, createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z")
    }

    @Test("every storefront model's field list names exactly its stored properties, with the same values")
    func fieldListsMatch() {
        let settings = StoreSettings(name: "Shop", currency: "USD", contactEmail: nil, logoUrl: "/logo.png")
        var chrome = StorefrontChrome(title: "T", description: "D", canonical: "http://x/", settings: settings, stylesheet: "/a.css", year: "2026")
        chrome.ogImage = "http://x/i.png"
        chrome.refresh = 2
        check(chrome)
        let product = Self.product()
        check(ProductCard(product))
        check(HomePage(storeName: "Shop", featured: [product]))
        check(CategoryLink(name: "Mugs", url: "/collections/mugs", current: true))
        check(CatalogPage(heading: "All", query: "mug", categories: [], allCurrent: true, products: [product], nextUrl: "/n", firstUrl: nil))
        let page = ProductPage(product, selectedVariantID: "var_1", added: true, error: "Oops")
        check(page)
        check(page.variants[0])
        check(page.thumbnails[0])
        check(ErrorPage(status: 404, heading: "Not found", message: "Gone"))
    }
}

@Suite("Web: themes")
struct ThemeStyleTests {
    @Test("each preset gives its palette; merchant colours override it; text on the accent is readable; bad values never reach the CSS")
    func themes() {
        var theme = StoreSettings.Theme()
        #expect(ThemeStyle(theme).css.contains("--color-accent:#4f46e5"))
        #expect(ThemeStyle(theme).css.contains("--color-on-accent:#ffffff"))
        theme.preset = "midnight"
        let midnight = ThemeStyle(theme).css
        #expect(midnight.contains("--color-background:#0f172a"))
        // Amber is light: dark text on it.
        #expect(midnight.contains("--color-on-accent:#111827"))
        theme.accentColor = "#ffff00"
        #expect(ThemeStyle(theme).css.contains("--color-on-accent:#111827"))
        theme.accentColor = "#000080"
        #expect(ThemeStyle(theme).css.contains("--color-on-accent:#ffffff"))
        theme.accentColor = "red;}body{display:none"
        theme.font = "Inter</style><script>"
        theme.radius = 500
        let hostile = ThemeStyle(theme).css
        #expect(!hostile.contains("display:none") && !hostile.contains("<"))
        #expect(hostile.contains("--radius:32px"))
        #expect(hostile.contains("--color-accent:#f59e0b"))
    }
}
