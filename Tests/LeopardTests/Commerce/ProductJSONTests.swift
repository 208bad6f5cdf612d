import Foundation
import LeopardCore
import Testing

@testable import LeopardCommerce

/// Products write their own JSON; it must be the very bytes `JSONEncoder` gives.
@Suite("Product JSON written directly")
struct ProductJSONTests {
    static func encoded(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func written(_ value: some JSONWritable) throws -> String {
        String(decoding: try JSONBodyEncoder.encode(value), as: UTF8.self)
    }

    static var awkward: String {
        var text = "Quote \" backslash \\ slash / é 😀 \u{2028} \u{7f} "
        for scalar in 0..<0x20 { text.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        return text
    }

    static func full() -> Product {
        let money = Money(amount: 1_999, currency: "EUR")
        let variant = ProductVariant(
            id: "var_1", sku: "SKU/1", title: awkward, options: ["Größe": "M", "Color": "Blau", "color": "x", "Ärmel": awkward], price: money,
            compareAtPrice: Money(amount: 2_500, currency: "EUR"), stock: 3, trackInventory: true, weight: 250, imageId: "img_1")
        return Product(
            id: "prod_1", title: awkward, slug: "mug", description: "Line one\nLine two\t</script>", status: .active,
            images: [ProductImage(id: "img_1", url: "https://cdn.example.test/a b.jpg?x=1&y=2", alt: awkward, position: 0)],
            options: [ProductOption(name: "Größe", values: ["S", "M", awkward])], variants: [variant, variant], price: money, stock: 3, inStock: true,
            tags: ["oak", awkward], categoryId: "cat_1", categoryIds: ["cat_1", "cat_2"], taxClass: .reduced, seoTitle: awkward, seoDescription: "",
            createdAt: "2026-12-04T20:00:00Z", updatedAt: "2026-12-04T20:00:01Z")
    }

    static func bare() -> Product {
        let money = Money(amount: 0, currency: "USD")
        let variant = ProductVariant(
            id: "var_2", sku: nil, title: "Default", options: [:], price: money, compareAtPrice: nil, stock: 0, trackInventory: false)
        return Product(
            id: "prod_2", title: "", slug: "", description: "", status: .draft, images: [], options: [], variants: [variant], price: money, stock: 0,
            inStock: true, tags: [], categoryId: nil, createdAt: "", updatedAt: "")
    }

    @Test("a product with every field set, and with every optional missing, gives JSONEncoder's bytes")
    func products() throws {
        for product in [Self.full(), Self.bare()] {
            #expect(try Self.written(product) == Self.encoded(product))
        }
    }

    /// The names of `value`'s stored properties that are nil optionals.
    static func nilFields(_ value: Any) -> [String] {
        Mirror(reflecting: value).children.compactMap { child in
            let field = Mirror(reflecting: child.value)
            return field.displayStyle == .optional && field.children.isEmpty ? child.label : nil
        }
    }

    @Test("the full product leaves no optional nil, so a field added later is compared too")
    func fullIsFull() {
        #expect(Self.nilFields(Self.full()) == [])
        #expect(Self.nilFields(Self.full().variants[0]) == [])
        #expect(Self.nilFields(Self.bare()).contains("categoryId"), "the check sees nil optionals")
    }

    @Test("pages of products, the last one with a null cursor, give JSONEncoder's bytes")
    func pages() throws {
        for page in [Page(data: [Self.full(), Self.bare()], nextCursor: "abc/def"), Page(data: [Product](), nextCursor: nil)] {
            #expect(try Self.written(page) == Self.encoded(page))
        }
        // Not vacuous: the bytes do carry the awkward text, escaped.
        #expect(try Self.written(Self.full()).contains("\\u001f"))
    }
}
