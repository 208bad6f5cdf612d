import LeopardCore

/// Where a store ships, and how: a zone of countries and regions, each place in one zone only,
/// with the methods a shopper there can choose from.
public struct ShippingZone: Sendable, Encodable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// One price.
        case flat
        /// By the parcel's weight in grams, in bands.
        case weight
        /// By the order's value (after discounts), in bands.
        case price
    }

    /// Up to and including `upTo` (grams, or minor units of value), the method costs `rate`.
    public struct Band: Sendable, Codable, Equatable {
        public let upTo: Int
        public let rate: Money
    }

    public struct Method: Sendable, Encodable, Equatable {
        public let id: String
        public let name: String
        public let kind: Kind
        public let rate: Money?
        public let bands: [Band]
        /// At or over this value (after discounts), the method is free.
        public let freeOver: Money?

        /// The price for a parcel of this weight and value; nil when no band covers it.
        public func price(weightGrams: Int, value: Int) -> Int? {
            if let freeOver, value >= freeOver.amount { return 0 }
            switch kind {
            case .flat: return rate?.amount ?? 0
            case .weight: return bands.first { weightGrams <= $0.upTo }?.rate.amount
            case .price: return bands.first { value <= $0.upTo }?.rate.amount
            }
        }
    }

    public let id: String
    public let name: String
    public let countries: [String]
    public let regions: [String]
    public let methods: [Method]
    public let createdAt: String
    public let updatedAt: String
}

/// A way to ship a cart, with its price for that cart.
public struct ShippingOption: Sendable, Encodable, Equatable {
    public let id: String
    public let name: String
    public let price: Money

    /// The one option of a store that has set up no zones: its flat rate, everywhere.
    static let standardID = "standard"

    static func options(for methods: [ShippingZone.Method], weightGrams: Int, value: Int, currency: String) -> [ShippingOption] {
        methods.compactMap { method in
            method.price(weightGrams: weightGrams, value: value).map {
                ShippingOption(id: method.id, name: method.name, price: Money(amount: $0, currency: currency))
            }
        }
    }
}
