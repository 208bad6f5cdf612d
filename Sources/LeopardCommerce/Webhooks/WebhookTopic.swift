/// What a merchant's webhook endpoint can listen to.
public enum WebhookTopic: String, CaseIterable, Codable, Sendable {
    case orderCreated = "order.created"
    case orderPaid = "order.paid"
    case orderFulfilled = "order.fulfilled"
    case orderCancelled = "order.cancelled"
    case orderRefunded = "order.refunded"
    case orderExpired = "order.expired"
    /// Some of an order shipped (the payload's `fulfillments` carry the tracking).
    case orderPartiallyFulfilled = "order.partially_fulfilled"
    /// Items of an order came back (the payload's `returns` say which).
    case orderReturned = "order.returned"
    /// Staff changed an order's items (the payload is the order as it is now).
    case orderEdited = "order.edited"
    case productCreated = "product.created"
    case productUpdated = "product.updated"
    case productDeleted = "product.deleted"
    case inventoryLow = "inventory.low"

    /// What a member must be able to read to subscribe to the topic: its payloads carry it.
    public var readPermission: StaffPermission {
        rawValue.hasPrefix("order.") ? .orders : .products
    }

    /// The topic an order's move to `status` announces, if any.
    static func order(movedTo status: OrderStatus) -> WebhookTopic? {
        switch status {
        case .paid: return .orderPaid
        case .fulfilled: return .orderFulfilled
        case .cancelled: return .orderCancelled
        case .refunded, .partiallyRefunded: return .orderRefunded
        case .expired: return .orderExpired
        case .pending, .partiallyFulfilled, .returned, .partiallyReturned: return nil
        }
    }
}
