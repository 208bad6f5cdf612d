import LeopardCommerce
import LeopardCore

/// Draft orders in the admin: the list, and the form to build one (a few product rows, the
/// customer's e-mail and address, a code and a note).
public struct DraftsPage: Sendable {
    public struct Row: Sendable {
        public let id: String
        public let email: String
        public let status: String
        public let total: String
        public let created: String
        public let orderId: String?
    }

    public struct Option: Sendable {
        public let id: String
        public let label: String
    }

    public struct ItemRow: Sendable {
        public let index: Int
        public let options: [Option]
    }

    /// A line not in the catalog: what was typed, and the first error on it.
    public struct CustomRow: Sendable {
        public let index: Int
        public let title: String
        public let price: String
        public let quantity: String
        public let taxClasses: [TaxChoice]
        public let error: String?
    }

    public struct TaxChoice: Sendable {
        public let value: String
        public let label: String
        public let selected: Bool
    }

    public static let customRows = 3

    public let rows: [Row]
    public let items: [ItemRow]
    public let customLines: [CustomRow]
    public let countries: [CheckoutPage.Country]
    public let values: [String: String]
    public let errors: [String: String]
    public let general: String?

    /// `variants`: the products a draft may hold, as (variant id, label) pairs.
    public init(
        drafts: [(id: String, email: String, status: String, total: Money, createdAt: String, orderId: String?)], variants: [(String, String)],
        values: [String: String], errors: FieldMessages
    ) {
        rows = drafts.map {
            Row(id: $0.id, email: $0.email, status: $0.status, total: MoneyText.format($0.total), created: String($0.createdAt.prefix(10)), orderId: $0.orderId)
        }
        let options = variants.map { Option(id: $0.0, label: $0.1) }
        items = (1...4).map { ItemRow(index: $0, options: options) }
        customLines = (1...Self.customRows).map { index in
            let error = ["title", "unitPrice", "quantity", "taxClass"].lazy.compactMap { field in
                errors["custom_\(field)_\(index)"].map { ["unitPrice": "price", "taxClass": "tax"][field, default: field] + " " + $0 }
            }.first
            let tax = values["custom_tax_\(index)"] ?? "standard"
            return CustomRow(
                index: index, title: values["custom_title_\(index)"] ?? "", price: values["custom_price_\(index)"] ?? "",
                quantity: values["custom_quantity_\(index)"] ?? "1",
                taxClasses: [("standard", "Standard rate"), ("reduced", "Reduced rate"), ("exempt", "No tax")].map {
                    TaxChoice(value: $0.0, label: $0.1, selected: $0.0 == tax)
                }, error: error)
        }
        let chosen = values["country"] ?? ""
        countries = Address.countries.sorted().map { CheckoutPage.Country(code: $0, selected: $0 == chosen) }
        self.values = values
        self.errors = errors.messages
        self.general = errors.general
    }
}

/// One draft: what it holds, priced as its cart, and how to complete it.
public struct DraftPage: Sendable {
    public struct Line: Sendable {
        public let title: String
        public let quantity: Int
        public let total: String
        /// Not from the catalog.
        public let custom: Bool
    }

    public let id: String
    public let email: String
    public let note: String?
    public let lines: [Line]
    public let total: String
    public let open: Bool
    public let orderId: String?
    /// The member may mark the order paid (the `payments` permission).
    public let canMarkPaid: Bool
    public let error: String?
    /// When the payment link was last mailed.
    public let linkSentAt: String?
    public let notice: String?

    public init(
        id: String, email: String, note: String, cart: Cart, status: String, orderId: String?, canMarkPaid: Bool, error: String?,
        notice: String? = nil
    ) {
        self.id = id
        self.email = email
        self.note = note.isEmpty ? nil : note
        lines = cart.items.map { Line(title: $0.title, quantity: $0.quantity, total: MoneyText.format($0.lineTotal), custom: $0.custom) }
        total = MoneyText.format(cart.total)
        open = status == "open"
        self.orderId = orderId
        self.canMarkPaid = canMarkPaid
        self.error = error
        linkSentAt = cart.linkSentAt.map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") }
        self.notice = notice
    }
}

/// Carts shoppers left with an e-mail address and items in them.
public struct AbandonedPage: Sendable {
    public struct Row: Sendable {
        public let id: String
        public let email: String
        public let items: String
        public let total: String
        public let lastChange: String
        /// When a recovery mail was last sent, if one was.
        public let linkSentAt: String?
    }

    public let rows: [Row]
    public let hours: Int
    public let nextUrl: String?
    public let notice: String?
    public let error: String?

    public init(carts: [Cart], hours: Int, nextUrl: String?, notice: String? = nil, error: String? = nil) {
        func minutes(_ stamp: String) -> String { String(stamp.prefix(16)).replacingOccurrences(of: "T", with: " ") }
        rows = carts.map { cart in
            Row(
                id: cart.id, email: cart.email ?? "", items: cart.items.map { "\($0.quantity) × \($0.title)" }.joined(separator: ", "),
                total: MoneyText.format(cart.total), lastChange: minutes(cart.updatedAt), linkSentAt: cart.linkSentAt.map(minutes))
        }
        self.hours = hours
        self.nextUrl = nextUrl
        self.notice = notice
        self.error = error
    }
}
