import LeopardCore

/// The complete state a product write asks for, built from the request (and, for `PATCH`, the
/// current product), then checked as a whole. Nothing is written unless every field is valid.
struct ProductDraft: Sendable {
    struct Image: Sendable, Equatable {
        var url: String
        var alt: String
    }

    struct Variant: Sendable, Equatable {
        var id: String?
        var sku: String?
        var title: String?
        var options: [String: String]
        var price: Int?
        var compareAtPrice: Int?
        var stock: Int
        var trackInventory: Bool
        var weightGrams: Int? = nil
    }

    var title: String?
    /// An explicit handle; nil means "derive from the title".
    var slug: String?
    var description: String
    var status: ProductStatus
    var categoryId: String?
    var images: [Image]
    var options: [ProductOption]
    var variants: [Variant]
    var tags: [String]
    var taxClass: TaxClass = .standard
    var seoTitle: String?
    var categoryIds: [String] = []
    var seoDescription: String?

    static let maximumVariants = 100
    static let maximumWeight = 1_000_000_000
    static let maximumOptions = 3
    static let maximumImages = 50
    static let maximumTags = 50
    static let maximumStock = 1_000_000_000

    /// An empty product: `POST` and `PUT` start here.
    static var empty: ProductDraft {
        ProductDraft(title: nil, slug: nil, description: "", status: .active, categoryId: nil, images: [], options: [], variants: [], tags: [])
    }

    /// The current state of `product`: `PATCH` starts here.
    init(_ product: Product) {
        self.init(
            title: product.title,
            slug: product.slug,
            description: product.description,
            status: product.status,
            categoryId: product.categoryId,
            images: product.images.map { Image(url: $0.url, alt: $0.alt) },
            options: product.options,
            variants: product.variants.map {
                Variant(
                    id: $0.id, sku: $0.sku, title: $0.title, options: $0.options, price: $0.price.amount, compareAtPrice: $0.compareAtPrice?.amount,
                    stock: $0.stock, trackInventory: $0.trackInventory, weightGrams: $0.weight)
            },
            tags: product.tags
        )
        taxClass = product.taxClass
        (seoTitle, seoDescription) = (product.seoTitle, product.seoDescription)
        categoryIds = product.categoryIds.isEmpty ? product.categoryId.map { [$0] } ?? [] : product.categoryIds
    }

    init(
        title: String?, slug: String?, description: String, status: ProductStatus, categoryId: String?, images: [Image], options: [ProductOption],
        variants: [Variant], tags: [String]
    ) {
        self.title = title
        self.slug = slug
        self.description = description
        self.status = status
        self.categoryId = categoryId
        self.images = images
        self.options = options
        self.variants = variants
        self.tags = tags
    }

    /// Lays `input` over this draft and checks the result. Errors name the fields of the request.
    /// `existing` is the product being replaced (`PUT`, `PATCH`), whose variants keep their ids.
    func applying(_ input: ProductInput, storeCurrency: String, existing: Product?) throws(Problem) -> ProductDraft {
        var draft = self
        var errors: [Problem.FieldError] = []
        func fail(_ field: String, _ message: String) { errors.append(.init(field: field, message: message)) }
        if let title = input.title { draft.title = title.trimmingWhitespace() }
        if let slug = input.slug { draft.slug = slug.trimmingWhitespace().lowercased() }
        if let description = input.description { draft.description = description }
        if let status = input.status {
            if let value = ProductStatus(rawValue: status) { draft.status = value } else { fail("status", "must be one of draft, active, archived") }
        }
        if let ids = input.categoryIds {
            if ids.count > 20 || Set(ids).count != ids.count || ids.contains(where: { $0.isEmpty || $0.utf8.count > 64 }) {
                fail("categoryIds", "must name at most 20 different categories")
            }
            draft.categoryIds = ids
        } else if !input.categoryId.isAbsent {
            let main = input.categoryId.applied(to: draft.categoryId)
            draft.categoryIds = main.map { main in [main] + draft.categoryIds.filter { $0 != main } } ?? []
        }
        draft.categoryId = draft.categoryIds.first
        if let taxClass = input.taxClass {
            if let value = TaxClass(rawValue: taxClass) { draft.taxClass = value } else { fail("taxClass", "must be one of standard, reduced, exempt") }
        }
        draft.seoTitle = (input.seoTitle.applied(to: draft.seoTitle)?.trimmingWhitespace()).flatMap { $0.isEmpty ? nil : $0 }
        draft.seoDescription = (input.seoDescription.applied(to: draft.seoDescription)?.trimmingWhitespace()).flatMap { $0.isEmpty ? nil : $0 }
        if (draft.seoTitle?.count ?? 0) > 70 { fail("seoTitle", "must be at most 70 characters") }
        if (draft.seoDescription?.count ?? 0) > 320 { fail("seoDescription", "must be at most 320 characters") }
        if let images = input.images {
            draft.images = images.enumerated()
                .sorted { ($0.element.position ?? $0.offset, $0.offset) < ($1.element.position ?? $1.offset, $1.offset) }
                .map { Image(url: $0.element.url.trimmingWhitespace(), alt: $0.element.alt ?? "") }
        }
        if let options = input.options {
            draft.options = options.map { ProductOption(name: $0.name.trimmingWhitespace(), values: $0.values.map { $0.trimmingWhitespace() }) }
        }
        if let tags = input.tags {
            var seen = Set<String>()
            draft.tags = tags.map { $0.trimmingWhitespace().lowercased() }.filter { !$0.isEmpty && seen.insert($0).inserted }
        }

        // Variants: a list replaces the current one; an entry with an id updates that variant.
        if let variants = input.variants {
            let current = Dictionary(draft.variants.compactMap { v in v.id.map { ($0, v) } }, uniquingKeysWith: { first, _ in first })
            var named = Set<String>()
            // The options the stored titles were made from (a PUT starts from none).
            let previousOptions = existing?.options ?? options
            draft.variants = variants.enumerated().map { index, entry in
                var variant =
                    entry.id.flatMap { current[$0] }
                    ?? Variant(id: nil, sku: nil, title: nil, options: [:], price: nil, compareAtPrice: nil, stock: 0, trackInventory: true)
                if let id = entry.id, current[id] == nil { fail("variants.\(index).id", "is not a variant of this product") }
                if let id = entry.id, !named.insert(id).inserted { fail("variants.\(index).id", "names a variant an earlier entry names") }
                if let sku = entry.sku { variant.sku = sku.trimmingWhitespace().isEmpty ? nil : sku.trimmingWhitespace() }
                if let title = entry.title { variant.title = title.trimmingWhitespace() }
                if let options = entry.options {
                    // A title made from the old option values is made again from the new ones.
                    if entry.title == nil, variant.title == Self.derivedTitle(variant.options, under: previousOptions) { variant.title = nil }
                    variant.options = options.mapValues { $0.trimmingWhitespace() }
                }
                if let price = entry.price {
                    errors += price.problems(field: "variants.\(index).price", storeCurrency: storeCurrency)
                    variant.price = price.amount
                }
                if let compare = entry.compareAtPrice {
                    errors += compare.problems(field: "variants.\(index).compareAtPrice", storeCurrency: storeCurrency)
                    variant.compareAtPrice = compare.amount
                }
                if let stock = entry.stock { variant.stock = stock }
                if let track = entry.trackInventory { variant.trackInventory = track }
                if let weight = entry.weight { variant.weightGrams = weight }
                return variant
            }
        }

        errors += draft.applyFlat(input, storeCurrency: storeCurrency, existing: existing)

        errors += draft.problems()
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return draft
    }

    /// The flat shape: price, stock, sku… on the product write its single default variant.
    /// Returns the fields' errors.
    mutating func applyFlat(_ input: ProductInput, storeCurrency: String, existing: Product?) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        let flat =
            input.price != nil || input.stock != nil || !input.sku.isAbsent || !input.compareAtPrice.isAbsent || input.trackInventory != nil
            || input.weight != nil
        if flat {
            if !options.isEmpty {
                errors.append(
                    .init(
                        field: input.price != nil ? "price" : "stock", message: "a product with options has a price and stock per variant; set them in variants"
                    ))
            } else {
                if variants.isEmpty {
                    // The single variant stays itself, stock and all; after options it starts anew.
                    let reused = existing.flatMap { $0.options.isEmpty ? $0.variants.first : nil }
                    variants = [
                        Variant(
                            id: reused?.id, sku: nil, title: nil, options: [:], price: nil, compareAtPrice: nil, stock: reused?.stock ?? 0,
                            trackInventory: true)
                    ]
                }
                if let price = input.price {
                    errors += price.problems(field: "price", storeCurrency: storeCurrency)
                    variants[0].price = price.amount
                }
                if case .value(let compare) = input.compareAtPrice {
                    errors += compare.problems(field: "compareAtPrice", storeCurrency: storeCurrency)
                }
                variants[0].compareAtPrice = input.compareAtPrice.applied(to: variants[0].compareAtPrice.map { MoneyInput(amount: $0) })?.amount
                if let stock = input.stock { variants[0].stock = stock }
                variants[0].sku = input.sku.applied(to: variants[0].sku).flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0.trimmingWhitespace() }
                if let track = input.trackInventory { variants[0].trackInventory = track }
                if let weight = input.weight { variants[0].weightGrams = weight }
            }
        }
        return errors
    }

    /// Whole-product rules: title, handle, lengths, options against variants.
    func problems() -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        func fail(_ field: String, _ message: String) { errors.append(.init(field: field, message: message)) }

        if let title, !title.isEmpty {
            if title.count > 255 { fail("title", "must be at most 255 characters") }
        } else {
            fail("title", "is required")
        }
        if let slug, Handle(validating: slug) == nil { fail("slug", Handle.problemMessage) }
        if description.utf8.count > 65_536 { fail("description", "must be at most 64 KiB") }
        if images.count > Self.maximumImages { fail("images", "must have at most \(Self.maximumImages) entries") }
        for (index, image) in images.enumerated() {
            if let problem = Self.urlProblem(image.url) { fail("images.\(index).url", problem) }
            if image.alt.count > 512 { fail("images.\(index).alt", "must be at most 512 characters") }
        }
        if tags.count > Self.maximumTags { fail("tags", "must have at most \(Self.maximumTags) entries") }
        for (index, tag) in tags.enumerated() where tag.count > 64 { fail("tags.\(index)", "must be at most 64 characters") }

        if options.count > Self.maximumOptions { fail("options", "must have at most \(Self.maximumOptions) entries") }
        var optionNames = Set<String>()
        for (index, option) in options.enumerated() {
            if option.name.isEmpty || option.name.count > 64 { fail("options.\(index).name", "must be 1 to 64 characters") }
            if !optionNames.insert(option.name.lowercased()).inserted { fail("options.\(index).name", "is used twice") }
            if option.values.isEmpty { fail("options.\(index).values", "must have at least one value") }
            if Set(option.values).count != option.values.count { fail("options.\(index).values", "has a value twice") }
            if option.values.contains(where: { $0.isEmpty || $0.count > 64 }) { fail("options.\(index).values", "must each be 1 to 64 characters") }
        }

        if variants.isEmpty {
            fail(options.isEmpty ? "price" : "variants", options.isEmpty ? "is required" : "must have at least one variant")
        }
        if variants.count > Self.maximumVariants { fail("variants", "must have at most \(Self.maximumVariants) entries") }
        if options.isEmpty && variants.count > 1 { fail("variants", "a product without options has exactly one variant; add options to offer more") }
        var combinations = Set<[String]>()
        var skus = Set<String>()
        for (index, variant) in variants.enumerated() {
            let field = options.isEmpty ? "" : "variants.\(index)."
            if variant.price == nil { fail(field + "price", "is required") }
            if let compare = variant.compareAtPrice, let price = variant.price, compare < price {
                fail(field + "compareAtPrice", "must not be below the price")
            }
            if variant.stock < 0 || variant.stock > Self.maximumStock { fail(field + "stock", "must be a whole number from 0 to \(Self.maximumStock)") }
            if let sku = variant.sku {
                if sku.count > 64 { fail(field + "sku", "must be at most 64 characters") }
                if !skus.insert(sku).inserted { fail(field + "sku", "is used by another variant") }
            }
            if let title = variant.title, title.count > 255 { fail(field + "title", "must be at most 255 characters") }
            if let weight = variant.weightGrams, !(0...Self.maximumWeight).contains(weight) {
                fail(field + "weight", "must be a whole number of grams from 0 to \(Self.maximumWeight)")
            }
            if options.isEmpty {
                if !variant.options.isEmpty { fail("variants.\(index).options", "must be empty when the product has no options") }
                continue
            }
            let names = Set(options.map(\.name))
            if Set(variant.options.keys) != names {
                fail("variants.\(index).options", "must give a value for each option: \(options.map(\.name).joined(separator: ", "))")
                continue
            }
            for option in options where !option.values.contains(variant.options[option.name] ?? "") {
                fail("variants.\(index).options.\(option.name)", "must be one of \(option.values.joined(separator: ", "))")
            }
            let combination = options.map { variant.options[$0.name] ?? "" }
            if !combinations.insert(combination).inserted { fail("variants.\(index).options", "repeats another variant's options") }
        }
        return errors
    }

    /// Why `url` cannot be an image address (http(s) with a host, or a path on this host), or nil.
    static func urlProblem(_ url: String) -> String? {
        let bytes = url.utf8
        let absolute = bytes.starts(with: "https://".utf8) || bytes.starts(with: "http://".utf8)
        let local = bytes.starts(with: "/".utf8) && !bytes.starts(with: "//".utf8)
        guard absolute || local, bytes.count <= 2048, !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }),
            !absolute || hasHost(url)
        else {
            return "must be an http(s) URL of at most 2048 characters"
        }
        return nil
    }

    /// Whether an http(s) URL has a proper authority: ASCII only (international names in
    /// punycode), a host that is a name or a bracketed IPv6 address, and a port of digits up
    /// to 65535. Anything else (`http://[`, `http://a]b`, `http:///x`) would break whatever
    /// reads the URL next: a browser, a mail client, a parser.
    static func hasHost(_ url: String) -> Bool {
        let bytes = Array(url.utf8.drop { $0 != UInt8(ascii: ":") }.dropFirst(3).prefix { !"/?#".utf8.contains($0) })
        let nameBytes = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=%".utf8)
        let at = bytes.lastIndex(of: UInt8(ascii: "@"))
        let userinfo = at.map { bytes[..<$0] } ?? []
        var host = at.map { bytes[($0 + 1)...] } ?? bytes[...]
        guard userinfo.allSatisfy({ nameBytes.contains($0) || $0 == UInt8(ascii: ":") }) else { return false }
        if host.first == UInt8(ascii: "[") {
            guard let close = host.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let address = host[(host.startIndex + 1)..<close]
            let hex = Set("0123456789abcdefABCDEF:.".utf8)
            guard address.filter({ $0 == UInt8(ascii: ":") }).count >= 2, address.allSatisfy({ hex.contains($0) }) else { return false }
            host = host[(close + 1)...]
            return host.isEmpty || isPort(host)
        }
        let colon = host.firstIndex(of: UInt8(ascii: ":"))
        let name = colon.map { host[..<$0] } ?? host
        return !name.isEmpty && name.allSatisfy { nameBytes.contains($0) } && (colon.map { isPort(host[$0...]) } ?? true)
    }

    /// `:` and a port: ASCII digits, at most 65535.
    private static func isPort(_ text: ArraySlice<UInt8>) -> Bool {
        let digits = text.dropFirst()
        guard text.first == UInt8(ascii: ":"), (1...5).contains(digits.count), digits.allSatisfy({ (48...57).contains($0) }) else { return false }
        return Int(String(decoding: digits, as: UTF8.self)).map { $0 <= 65_535 } ?? false
    }

    /// The title of a variant that has none: its option values, or "Default".
    func variantTitle(_ variant: Variant) -> String {
        if let title = variant.title, !title.isEmpty { return title }
        return Self.derivedTitle(variant.options, under: options)
    }

    /// The title option values make under `options`: "M / Blue", or "Default".
    static func derivedTitle(_ values: [String: String], under options: [ProductOption]) -> String {
        options.isEmpty ? "Default" : options.compactMap { values[$0.name] }.joined(separator: " / ")
    }
}
