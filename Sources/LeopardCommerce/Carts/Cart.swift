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
    /// The same four amounts and the discount, together: `total = subtotal − discount +
    /// shipping + tax` (tax not added when prices include it).
    public var totals: Totals
    public var discounts: [AppliedDiscount]
    /// The codes entered, and whether each applies now.
    public var discountCodes: [CartDiscountCode]
    public var taxLines: [TaxLine]
    public var pricesIncludeTax: Bool
    public var shippingAddress: Address?
    /// The chosen method, or the cheapest where the address is; nil before an address when
    /// the store ships by zone.
    public var shippingMethod: ShippingOption?
    /// False when the store ships by zone and no zone takes the address: checkout is refused.
    public var shipsToAddress: Bool
    public var orderId: String?
    public var createdAt: String
    public var updatedAt: String
    public var expiresAt: String
    /// True for a draft order's cart: the store chose its items, and only staff change them.
    public var preparedByStore: Bool
    /// When a link to this cart was last mailed (recovery mail, draft payment link).
    public var linkSentAt: String?
    /// The cart's secret, only in the response that creates it. Later calls present it in
    /// `X-Cart-Secret`.
    public var secret: String?
}

extension Cart {
    /// A cart of two of one thing, for previews of the mails that show a cart.
    public static func example(currency: String) -> Cart {
        let money = { (amount: Int) in Money(amount: amount, currency: currency) }
        let item = CartItem(
            id: "preview", variantId: "preview", productId: nil, title: "Example product", variantTitle: "Large", sku: nil, unitPrice: money(2500),
            quantity: 2, lineTotal: money(5000), available: true, problem: nil)
        let totals = Totals(subtotal: money(5000), discount: money(0), shipping: money(500), tax: money(0), total: money(5500))
        return Cart(
            id: "preview", status: "active", email: "shopper@example.com", currency: currency, items: [item], itemCount: 2, subtotal: money(5000),
            shipping: money(500), tax: money(0), total: money(5500), totals: totals, discounts: [], discountCodes: [], taxLines: [],
            pricesIncludeTax: false, shippingAddress: nil, shippingMethod: nil, shipsToAddress: true, orderId: nil, createdAt: "", updatedAt: "",
            expiresAt: "", preparedByStore: false, linkSentAt: nil, secret: nil)
    }
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
    /// What discounts take off this line.
    public var discount: Money? = nil
    /// False when the product is no longer for sale or has too little stock; such lines do not
    /// count in the totals and stop checkout until changed.
    public var available: Bool
    public var problem: String?
    /// A line of a draft order that is not in the catalog: its own title and price, no
    /// product, variant (the empty string) or stock.
    public var custom: Bool = false
}

/// Who may touch a cart: whoever holds its secret, or the store's staff.
public enum CartAccess: Sendable {
    case secret(String?)
    case staff
}
