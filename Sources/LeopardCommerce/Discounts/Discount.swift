import Foundation
import LeopardCore

/// A discount: a code a shopper enters, or one that applies by itself (`automatic`), with the
/// conditions a cart must meet and the limits on its use.
public struct Discount: Sendable, Encodable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case percentage, fixed
        case freeShipping = "free_shipping"
        case buyXGetY = "buy_x_get_y"
    }

    /// A fixed amount off the order, or off each eligible item.
    public enum AppliesTo: String, Sendable, Codable, CaseIterable {
        case order, item
    }

    public let id: String
    /// Upper case; nil for an automatic discount.
    public let code: String?
    public let title: String
    public let kind: Kind
    /// Percent for `percentage` and `buy_x_get_y` (the share off the items got; 100 is free),
    /// minor units for `fixed`.
    public let value: Decimal
    public let appliesTo: AppliesTo
    public let buyQuantity: Int?
    public let getQuantity: Int?
    public let minSubtotal: Money?
    public let minQuantity: Int?
    public let productIds: [String]
    /// The categories named; the rules also count the categories under them.
    public internal(set) var categoryIds: [String]
    public let customerIds: [String]
    /// For signed-in customers with any of these tags (staff set them on the customer).
    public let customerTags: [String]
    public let startsAt: String?
    public let endsAt: String?
    public let usageLimit: Int?
    public let perCustomerLimit: Int?
    public let timesUsed: Int
    public let combinable: Bool
    public let automatic: Bool
    public let active: Bool
    public let createdAt: String
    public let updatedAt: String

    /// The value as the calculation takes it: basis points, or minor units.
    var stored: Int

    enum CodingKeys: String, CodingKey {
        case id, code, title, kind, value, appliesTo, buyQuantity, getQuantity, minSubtotal, minQuantity, productIds, categoryIds, customerIds
        case customerTags, startsAt, endsAt, usageLimit, perCustomerLimit, timesUsed, combinable, automatic, active, createdAt, updatedAt
    }

    /// What it takes off, for the lines it applies to.
    func effect() -> Pricing.Discount.Effect {
        switch kind {
        case .percentage: return .percentage(basisPoints: stored)
        case .fixed: return appliesTo == .item ? .fixedEach(amount: stored) : .fixedOrder(amount: stored)
        case .freeShipping: return .freeShipping
        case .buyXGetY: return .buyXGetY(buy: buyQuantity ?? 1, get: getQuantity ?? 1, basisPoints: stored)
        }
    }

    /// The order discounts are taken in: shares of lines first, then amounts, then shipping.
    var precedence: Int {
        switch kind {
        case .buyXGetY: return 0
        case .percentage: return 1
        case .fixed: return 2
        case .freeShipping: return 3
        }
    }
}
