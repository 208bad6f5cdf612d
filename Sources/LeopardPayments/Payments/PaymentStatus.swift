/// A payment's state. States only move forward: a late `succeeded` after a refund, or a
/// duplicate event, changes nothing.
public enum PaymentStatus: String, Codable, Sendable, CaseIterable {
    case requiresAction = "requires_action"
    case authorized, captured, failed, cancelled, refunded
    case partiallyRefunded = "partially_refunded"

    /// The order in which states may follow each other; failed and cancelled end a payment that
    /// never captured.
    var rank: Int {
        switch self {
        case .requiresAction: return 0
        case .authorized: return 1
        case .failed, .cancelled: return 2
        case .captured: return 3
        case .partiallyRefunded: return 4
        case .refunded: return 5
        }
    }

    /// Whether a payment in this state may become `next`.
    public func canBecome(_ next: PaymentStatus) -> Bool {
        switch (self, next) {
        case (.failed, _), (.cancelled, _), (.refunded, _): return false
        case (_, .failed), (_, .cancelled): return rank <= 1
        case (.partiallyRefunded, .partiallyRefunded): return true
        default: return next.rank > rank
        }
    }
}
