import LeopardCore

/// The body of `POST`/`PUT`/`PATCH /api/products`. Every field is optional here; what is
/// required depends on the method (see `ProductDraft`).
public struct ProductInput: Decodable, Sendable {
    public struct ImageInput: Decodable, Sendable, Equatable {
        public var id: String?
        public var url: String
        public var alt: String?
        public var position: Int?
    }

    public struct VariantInput: Decodable, Sendable, Equatable {
        public var id: String?
        public var sku: String?
        public var title: String?
        public var options: [String: String]?
        public var price: MoneyInput?
        public var compareAtPrice: MoneyInput?
        public var stock: Int?
        public var trackInventory: Bool?
        /// Grams; null clears it.
        public var weight: Int?
    }

    public var title: String?
    public var slug: String?
    public var description: String?
    public var status: String?
    public var categoryId: Patch<String> = .absent
    public var images: [ImageInput]?
    public var options: [ProductOption]?
    public var variants: [VariantInput]?
    public var tags: [String]?
    public var price: MoneyInput?
    public var compareAtPrice: Patch<MoneyInput> = .absent
    public var stock: Int?
    public var sku: Patch<String> = .absent
    public var trackInventory: Bool?
    /// `standard`, `reduced` or `exempt`.
    public var taxClass: String?
    /// Every category, the main one first (replaces `categoryId`, which on its own sets the
    /// main one and keeps the others).
    public var categoryIds: [String]?
    /// What search engines show; null goes back to the title and description.
    public var seoTitle: Patch<String> = .absent
    public var seoDescription: Patch<String> = .absent
    /// The single variant's weight in grams (the flat shape).
    public var weight: Int?

    enum CodingKeys: String, CodingKey {
        case title, slug, description, status, categoryId, images, options, variants, tags, price, compareAtPrice, stock, sku, trackInventory, taxClass,
            weight, seoTitle, seoDescription, categoryIds
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        slug = try container.decodeIfPresent(String.self, forKey: .slug)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        categoryId = try container.decodePatch(String.self, forKey: .categoryId)
        images = try container.decodeIfPresent([ImageInput].self, forKey: .images)
        options = try container.decodeIfPresent([ProductOption].self, forKey: .options)
        variants = try container.decodeIfPresent([VariantInput].self, forKey: .variants)
        tags = try container.decodeIfPresent([String].self, forKey: .tags)
        price = try container.decodeIfPresent(MoneyInput.self, forKey: .price)
        compareAtPrice = try container.decodePatch(MoneyInput.self, forKey: .compareAtPrice)
        stock = try container.decodeIfPresent(Int.self, forKey: .stock)
        sku = try container.decodePatch(String.self, forKey: .sku)
        trackInventory = try container.decodeIfPresent(Bool.self, forKey: .trackInventory)
        taxClass = try container.decodeIfPresent(String.self, forKey: .taxClass)
        seoTitle = try container.decodePatch(String.self, forKey: .seoTitle)
        categoryIds = try container.decodeIfPresent([String].self, forKey: .categoryIds)
        seoDescription = try container.decodePatch(String.self, forKey: .seoDescription)
        weight = try container.decodeIfPresent(Int.self, forKey: .weight)
    }
}
