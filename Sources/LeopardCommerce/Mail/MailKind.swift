/// Every mail a store sends. The queue keeps the kind and the object it is about; the words are
/// written when it is sent, from the templates.
public enum MailKind: String, Sendable, CaseIterable, Codable {
    // To shoppers
    case orderConfirmation = "order_confirmation"
    case orderPaid = "order_paid"
    case orderShipped = "order_shipped"
    case orderCancelled = "order_cancelled"
    case orderRefunded = "order_refunded"
    case orderEdited = "order_edited"
    case customerVerification = "customer_verification"
    case customerAccountExists = "customer_account_exists"
    case customerPasswordReset = "customer_password_reset"
    case cartRecovery = "cart_recovery"
    case draftInvoice = "draft_invoice"
    // To staff
    case staffInvite = "staff_invite"
    case staffPasswordReset = "staff_password_reset"
    case staffEmailVerification = "staff_email_verification"
    case newOrder = "new_order"
    case lowStock = "low_stock"
    // From the platform to a new store's owner
    case storeWelcome = "store_welcome"

    /// Whether the mail goes to staff (the admin's links) rather than to a shopper.
    public var isForStaff: Bool {
        switch self {
        case .staffInvite, .staffPasswordReset, .staffEmailVerification, .newOrder, .lowStock, .storeWelcome: return true
        default: return false
        }
    }

    /// The kind a change of order status sends to the shopper, if any.
    static func order(movedTo status: OrderStatus) -> MailKind? {
        switch status {
        case .paid: return .orderPaid
        case .cancelled: return .orderCancelled
        case .refunded, .partiallyRefunded: return .orderRefunded
        // Each shipment sends its own mail, with its tracking (see `Fulfillments`).
        case .pending, .expired, .fulfilled, .partiallyFulfilled, .returned, .partiallyReturned: return nil
        }
    }
}
