import LeopardCore

public struct Cart: Sendable, Encodable {
    public var id: String
    public var status: String
    public var email: String?
    public var currency: String
    public var items: [CartItem]
    public var itemCount: Int
    public var subtotal: Money
    public var shipping: Money
    public var tax: Money
    public var total: Money
    public var orderId: String?
    public var createdAt: String
    public var updatedAt: String
    public var expiresAt: String
    /// The cart's secret, only in the response that creates it. Later calls present it in
    /// `X-Cart-Secret`.
    public var secret: String?
}

public struct CartItem: Sendable, Encodable {
    public var id: String
    public var variantId: String
    public var productId: String?
    public var title: String
    public var variantTitle: String?
    public var sku: String?
    public var unitPrice: Money
    public var quantity: Int
    public var lineTotal: Money
    /// False when the product is no longer for sale or has too little stock; such lines do not
    /// count in the totals and stop checkout until changed.
    public var available: Bool
    public var problem: String?
}

/// Who may touch a cart: whoever holds its secret, or the store's staff.
public enum CartAccess: Sendable {
    case secret(String?)
    case staff
}

/// Subtotal, flat shipping and tax in minor units. Tax is a rate in basis points of the
/// subtotal, rounded half up; shipping applies once the cart has items.
public struct CartTotals: Sendable, Equatable {
    public let subtotal: Int
    public let shipping: Int
    public let tax: Int
    public var total: Int { subtotal + shipping + tax }

    public init(subtotal: Int, hasItems: Bool, shippingRate: Int, taxRateBasisPoints: Int) {
        self.subtotal = subtotal
        self.shipping = hasItems ? shippingRate : 0
        // Split so that subtotal × rate cannot overflow 64 bits.
        let whole = subtotal / 10_000 * taxRateBasisPoints
        let rest = (subtotal % 10_000 * taxRateBasisPoints + 5_000) / 10_000
        self.tax = whole + rest
    }
}
