import LeopardCore

public enum OrderStatus: String, Codable, Sendable, CaseIterable {
    case pending, paid, fulfilled, cancelled, refunded
    case partiallyRefunded = "partially_refunded"
    /// Unpaid by card within the store's reservation time: its stock went back.
    case expired
    /// Read-only statuses, derived from the shipments and returns of a paid order (never stored
    /// in `orders.status`, so never a transition's target).
    case partiallyFulfilled = "partially_fulfilled"
    case returned
    case partiallyReturned = "partially_returned"

    /// The only moves an order can make (Oscar-style explicit table).
    static let transitions: [OrderStatus: Set<OrderStatus>] = [
        .pending: [.paid, .cancelled, .expired],
        .paid: [.fulfilled, .refunded, .partiallyRefunded],
        .fulfilled: [.refunded, .partiallyRefunded],
        .partiallyRefunded: [.refunded, .partiallyRefunded, .fulfilled],
    ]

    public func canMove(to next: OrderStatus) -> Bool {
        Self.transitions[self]?.contains(next) ?? false
    }

    /// What an order shows: a return first, then a partial shipment of a paid order, else the
    /// stored status.
    static func shown(stored: OrderStatus, fulfillment: String, returns: String?) -> OrderStatus {
        switch returns {
        case "returned": return .returned
        case "partial": return .partiallyReturned
        default: return stored == .paid && fulfillment == "partial" ? .partiallyFulfilled : stored
        }
    }
}

public struct Order: Sendable, Encodable {
    public var id: String
    public var number: Int
    /// `#1001`: what merchants and shoppers call the order.
    public var name: String
    public var status: OrderStatus
    public var email: String
    public var customerId: String?
    public var currency: String
    public var lines: [OrderLine]
    public var subtotal: Money
    public var shipping: Money
    public var tax: Money
    public var total: Money
    public var refundedTotal: Money
    public var discount: Money
    /// The same amounts together: `total = subtotal − discount + shipping + tax` (tax not added
    /// when prices include it).
    public var totals: Totals
    /// The shipping method's name as it was when the order was placed.
    public var shippingMethod: String?
    public var taxLines: [TaxLine]
    public var discounts: [AppliedDiscount]
    public var pricesIncludeTax: Bool
    public var shippingAddress: Address
    public var billingAddress: Address?
    /// `card`, `bank_transfer` or `cash_on_delivery`.
    public var paymentMethod: String
    /// When an unpaid card order gives its stock back (nil for manual methods, which keep it
    /// until cancelled).
    public var expiresAt: String? = nil
    public var cartId: String?
    public var createdAt: String
    public var updatedAt: String
    /// The timeline, on the order's own page only.
    public var events: [OrderEvent]?
    /// `unfulfilled`, `partial` or `fulfilled`.
    public var fulfillmentStatus: String = "unfulfilled"
    /// Shipments, oldest first, with their carriers and tracking.
    public var fulfillments: [Fulfillment] = []
    /// Returns, oldest first.
    public var returns: [OrderReturn] = []
    /// How to pay, in the response that places the order.
    public var payment: PaymentSummary?
}

/// What a shopper needs to pay a new order: for a card, `nextAction` points at the pay route;
/// a manual method waits for the store to mark the order paid.
public struct PaymentSummary: Sendable, Encodable {
    public struct NextAction: Sendable, Encodable {
        public var type: String
        public var url: String?
    }

    public var provider: String
    public var method: String
    public var status: String
    public var nextAction: NextAction?

    /// `cardProvider`: the provider that takes the store's card payments (`test` or `stripe`).
    init(orderID: String, method: String, cardProvider: String) {
        self.method = method
        if method == "card" {
            provider = cardProvider
            status = "requires_action"
            nextAction = NextAction(type: "pay", url: "/api/orders/\(orderID)/pay")
        } else {
            provider = "manual"
            status = "requires_action"
            nextAction = NextAction(type: method, url: nil)
        }
    }
}

public struct OrderLine: Sendable, Encodable {
    public var id: String
    public var productId: String
    public var variantId: String
    public var title: String
    public var variantTitle: String?
    public var sku: String?
    public var unitPrice: Money
    public var quantity: Int
    public var total: Money
    /// What discounts took off this line.
    public var discount: Money
    /// The tax in this line (added, or contained when prices include tax).
    public var tax: Money
    /// How many have shipped.
    public var fulfilledQuantity: Int = 0
    /// How many came back.
    public var returnedQuantity: Int = 0
    /// Not from the catalog (a draft order's own line): `productId` and `variantId` are empty
    /// and no stock moves for it.
    public var custom: Bool = false

    /// What the shopper paid for the line: after discounts, with tax when it is added on top.
    public func paid(pricesIncludeTax: Bool) -> Int {
        total.amount - discount.amount + (pricesIncludeTax ? 0 : tax.amount)
    }
}

public struct OrderEvent: Sendable, Encodable {
    public var id: String
    public var type: String
    public var message: String
    public var actor: String?
    public var createdAt: String
}
