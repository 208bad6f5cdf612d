import LeopardCore

/// What the price calculation takes and gives. Everything is in integer minor units of one
/// currency; rates are parts per million (19 % = 190 000, 8.875 % = 88 750) so that any rate a
/// tax authority publishes is exact.
public enum Pricing {
    /// A line of the cart or order.
    public struct Line: Sendable, Equatable {
        public var id: String
        public var unitPrice: Int
        public var quantity: Int
        public var taxClass: TaxClass
        public var productID: String?
        public var categoryID: String?

        public init(id: String, unitPrice: Int, quantity: Int, taxClass: TaxClass = .standard, productID: String? = nil, categoryID: String? = nil) {
            (self.id, self.unitPrice, self.quantity, self.taxClass) = (id, unitPrice, quantity, taxClass)
            (self.productID, self.categoryID) = (productID, categoryID)
        }
    }

    /// A tax rate that applies at the shipping address, to lines of one tax class (and to
    /// shipping when it says so). Several rates of a class add up (a state's and a city's).
    public struct Rate: Sendable, Equatable {
        public var name: String
        public var partsPerMillion: Int
        public var taxClass: TaxClass
        public var appliesToShipping: Bool

        public init(name: String, partsPerMillion: Int, taxClass: TaxClass = .standard, appliesToShipping: Bool = false) {
            (self.name, self.partsPerMillion, self.taxClass, self.appliesToShipping) = (name, partsPerMillion, taxClass, appliesToShipping)
        }
    }

    /// How tax is worked out.
    public enum TaxRule: Sendable, Equatable {
        /// Rates by destination and class, rounded per line.
        case rates([Rate])
        /// A store that has set up no rates: its one rate (basis points) on every taxable
        /// line, never on shipping, rounded once on the sum as it always was.
        case flat(basisPoints: Int)
    }

    /// A discount the cart qualifies for (the conditions are checked before: here it only
    /// takes its amount off).
    public struct Discount: Sendable, Equatable {
        public enum Effect: Sendable, Equatable {
            /// A share of each eligible line, in basis points (1 250 = 12.5 %).
            case percentage(basisPoints: Int)
            /// An amount off the eligible lines together, split in proportion to them.
            case fixedOrder(amount: Int)
            /// An amount off each eligible unit.
            case fixedEach(amount: Int)
            /// The shipping price.
            case freeShipping
            /// For every `buy + get` eligible units, the `get` cheapest are `basisPoints` off
            /// (10 000: free).
            case buyXGetY(buy: Int, get: Int, basisPoints: Int)
        }

        public var id: String
        public var code: String?
        public var title: String
        public var effect: Effect
        /// The lines it applies to; nil for every line.
        public var lineIDs: Set<String>?

        public init(id: String, code: String? = nil, title: String, effect: Effect, lineIDs: Set<String>? = nil) {
            (self.id, self.code, self.title, self.effect, self.lineIDs) = (id, code, title, effect, lineIDs)
        }
    }

    public struct Input: Sendable, Equatable {
        public var lines: [Line]
        public var discounts: [Discount]
        /// The shipping method's price; nil before one applies (and for a cart with no lines).
        public var shipping: Int?
        public var tax: TaxRule
        /// Prices (and shipping) already hold their tax, as shops in the EU and UK show them.
        public var pricesIncludeTax: Bool

        public init(lines: [Line], discounts: [Discount] = [], shipping: Int? = nil, tax: TaxRule, pricesIncludeTax: Bool = false) {
            (self.lines, self.discounts, self.shipping, self.tax, self.pricesIncludeTax) = (lines, discounts, shipping, tax, pricesIncludeTax)
        }
    }

    public struct LineResult: Sendable, Equatable {
        public let id: String
        /// Unit price × quantity.
        public let subtotal: Int
        public let discount: Int
        /// The tax in this line (added on top, or contained in it when prices include tax).
        public let tax: Int
    }

    public struct TaxLine: Sendable, Equatable, Codable {
        public let name: String
        public let partsPerMillion: Int
        public let amount: Int
    }

    public struct DiscountLine: Sendable, Equatable {
        public let id: String
        public let code: String?
        public let title: String
        public let amount: Int
    }

    public struct Result: Sendable, Equatable {
        public let lines: [LineResult]
        public let subtotal: Int
        /// Every discount together: off the lines, and off shipping.
        public let discount: Int
        /// The shipping method's price, before a discount on it.
        public let shipping: Int
        public let shippingDiscount: Int
        public let shippingTax: Int
        public let tax: Int
        /// subtotal − discount + shipping, plus tax unless prices include it.
        public let total: Int
        public let taxLines: [TaxLine]
        public let discounts: [DiscountLine]
    }
}

/// Which rates a line pays: standard, reduced (food, books in many countries), or none.
public enum TaxClass: String, Sendable, Codable, CaseIterable {
    case standard, reduced, exempt
}
