import LeopardCore

public enum ProductStatus: String, Codable, Sendable, CaseIterable {
    case draft, active, archived
}

/// A product as the API returns it. Without options it has one default variant, whose price and
/// stock are also the product's `price` and `stock`; with variants, `price` is the lowest variant
/// price and `stock` the sum of tracked stock.
public struct Product: Sendable, Encodable, Equatable {
    public var id: String
    public var title: String
    public var slug: String
    public var description: String
    public var status: ProductStatus
    public var images: [ProductImage]
    public var options: [ProductOption]
    public var variants: [ProductVariant]
    public var price: Money
    public var stock: Int
    public var inStock: Bool
    public var tags: [String]
    /// The main category: the first of `categoryIds`.
    public var categoryId: String?
    /// Every category the product is in, the main one first.
    public var categoryIds: [String] = []
    /// Which tax rates its lines pay: standard, reduced or exempt.
    public var taxClass: TaxClass = .standard
    /// The title search engines show; nil: the product's title.
    public var seoTitle: String? = nil
    /// The description search engines show; nil: the first line of the description.
    public var seoDescription: String? = nil
    public var createdAt: String
    public var updatedAt: String
}

public struct ProductImage: Sendable, Codable, Equatable {
    public var id: String
    public var url: String
    public var alt: String
    public var position: Int
}

public struct ProductOption: Sendable, Codable, Equatable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}

public struct ProductVariant: Sendable, Encodable, Equatable {
    public var id: String
    public var sku: String?
    public var title: String
    public var options: [String: String]
    public var price: Money
    public var compareAtPrice: Money?
    public var stock: Int
    public var trackInventory: Bool
    /// Grams, for shipping by weight.
    public var weight: Int? = nil
    /// One of the product's images, shown when this variant is chosen.
    public var imageId: String? = nil
    public var inStock: Bool { !trackInventory || stock > 0 }

    enum CodingKeys: String, CodingKey { case id, sku, title, options, price, compareAtPrice, stock, trackInventory, inStock, weight, imageId }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(sku, forKey: .sku)
        try container.encode(title, forKey: .title)
        try container.encode(options, forKey: .options)
        try container.encode(price, forKey: .price)
        try container.encode(compareAtPrice, forKey: .compareAtPrice)
        try container.encode(stock, forKey: .stock)
        try container.encode(trackInventory, forKey: .trackInventory)
        try container.encode(inStock, forKey: .inStock)
        try container.encode(weight, forKey: .weight)
        try container.encodeIfPresent(imageId, forKey: .imageId)
    }
}
