import LeopardCommerce

/// The owner's preview of one kind of mail, as the store would send it now: its subject, who
/// it is from, the text part, and the HTML part in a frame beside it.
public struct MailPreviewPage: Sendable {
    public struct Kind: Sendable {
        public let label: String
        public let url: String
        public let current: Bool
    }

    public let kinds: [Kind]
    public let label: String
    public let subject: String
    public let from: String
    public let replyTo: String?
    public let text: String
    public let htmlURL: String

    public init(kind: MailKind, subject: String, from: String, replyTo: String?, text: String) {
        kinds = MailKind.allCases.map { Kind(label: Self.label(of: $0), url: "/admin/mail/preview/\($0.rawValue)", current: $0 == kind) }
        label = Self.label(of: kind)
        (self.subject, self.from, self.replyTo, self.text) = (subject, from, replyTo, text)
        htmlURL = "/admin/mail/preview/\(kind.rawValue)/html"
    }

    /// What the admin calls each kind of mail.
    public static func label(of kind: MailKind) -> String {
        switch kind {
        case .orderConfirmation: return "Order confirmation"
        case .orderPaid: return "Payment received"
        case .orderShipped: return "Order shipped"
        case .orderCancelled: return "Order cancelled"
        case .orderRefunded: return "Refund"
        case .orderEdited: return "Order changed"
        case .customerVerification: return "Confirm e-mail address"
        case .customerAccountExists: return "Account exists already"
        case .customerPasswordReset: return "Shopper password reset"
        case .cartRecovery: return "Abandoned checkout recovery"
        case .draftInvoice: return "Draft order payment link"
        case .staffInvite: return "Staff invite"
        case .staffPasswordReset: return "Staff password reset"
        case .staffEmailVerification: return "Confirm staff e-mail address"
        case .newOrder: return "New order (to you)"
        case .lowStock: return "Low stock (to you)"
        case .storeWelcome: return "Welcome (from Leopard)"
        }
    }
}
