import Foundation
import LeopardCommerce
import LeopardCore

/// A product page's schema.org `Product` with one `Offer` per variant, as JSON-LD, for search
/// engines' rich results. The JSON is safe inside `<script>`: every `<` is written `\u003c`,
/// so no text in it can end the script element.
public enum ProductStructuredData {
    struct Offer: Encodable {
        let type = "Offer"
        let sku: String?
        let name: String
        let price: String
        let priceCurrency: String
        let availability: String
        let url: String

        enum CodingKeys: String, CodingKey {
            case type = "@type"
            case sku, name, price, priceCurrency, availability, url
        }
    }

    struct ProductLD: Encodable {
        let context = "https://schema.org"
        let type = "Product"
        let name: String
        let description: String
        let image: [String]
        let sku: String?
        let brand: Brand
        let offers: [Offer]

        struct Brand: Encodable {
            let type = "Brand"
            let name: String
            enum CodingKeys: String, CodingKey {
                case type = "@type"
                case name
            }
        }

        enum CodingKeys: String, CodingKey {
            case context = "@context"
            case type = "@type"
            case name, description, image, sku, brand, offers
        }
    }

    /// `absolute` turns a path (`/products/mug`, `/media/…`) into a full address.
    public static func json(for product: Product, storeName: String, absolute: (String) -> String) -> String? {
        let url = absolute("/products/\(product.slug)")
        let offers = product.variants.map { variant in
            Offer(
                sku: variant.sku, name: variant.title == "Default" ? product.title : "\(product.title) (\(variant.title))",
                price: MoneyText.decimal(variant.price.amount, currency: variant.price.currency), priceCurrency: variant.price.currency,
                availability: variant.inStock ? "https://schema.org/InStock" : "https://schema.org/OutOfStock",
                url: product.variants.count > 1 ? url + "?variant=" + variant.id : url)
        }
        let description = (product.seoDescription ?? product.description).prefix(5000)
        let model = ProductLD(
            name: product.title, description: String(description), image: product.images.map { $0.url.hasPrefix("/") ? absolute($0.url) : $0.url },
            sku: product.variants.count == 1 ? product.variants.first?.sku : nil, brand: .init(name: storeName), offers: offers)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(model) else { return nil }  // Plain strings and numbers: encoding cannot fail; no JSON-LD if it ever did.
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
    }
}
