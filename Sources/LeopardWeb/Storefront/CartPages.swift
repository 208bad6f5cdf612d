import LeopardCommerce
import LeopardCore

public struct CartPage: Sendable {
    public struct Line: Sendable {
        public let id: String
        public let title: String
        public let variantTitle: String?
        public let unitPrice: String
        public let quantity: Int
        public let lineTotal: String
        public let problem: String?
        public let url: String?
    }

    public struct Code: Sendable {
        public let code: String
        public let problem: String?
    }

    public let lines: [Line]
    public let subtotal: String
    public let shipping: String
    public let tax: String
    public let total: String
    /// Subtotal, discounts, shipping, taxes and total, as every summary shows them.
    public let rows: [OrderSummary.Row]
    public let included: [OrderSummary.Row]
    /// The codes the cart holds, and why one no longer applies.
    public let codes: [Code]
    public let codeError: String?
    public let canCheckout: Bool
    public let message: String?
    /// Stored, not computed: templates read values by reflection.
    public let empty: Bool
    /// False for an order the store prepared (a draft's cart): its lines and codes are fixed.
    public let editable: Bool

    public init(_ cart: Cart?, slugs: [String: String], message: String?, codeError: String? = nil) {
        let currency = cart?.currency ?? "USD"
        lines = (cart?.items ?? []).map { item in
            Line(
                id: item.id, title: item.title, variantTitle: item.variantTitle == "Default" ? nil : item.variantTitle,
                unitPrice: MoneyText.format(item.unitPrice),
                quantity: item.quantity, lineTotal: MoneyText.format(item.lineTotal), problem: item.available ? nil : (item.problem ?? "No longer available"),
                url: item.productId.flatMap { slugs[$0] }.map { "/products/\($0)" })
        }
        subtotal = MoneyText.format(cart?.subtotal ?? Money(amount: 0, currency: currency))
        shipping = MoneyText.format(cart?.shipping ?? Money(amount: 0, currency: currency))
        tax = MoneyText.format(cart?.tax ?? Money(amount: 0, currency: currency))
        total = MoneyText.format(cart?.total ?? Money(amount: 0, currency: currency))
        let summary = cart.map(OrderSummary.init(cart:))
        rows = summary?.rows ?? []
        included = summary?.included ?? []
        codes = (cart?.discountCodes ?? []).map { Code(code: $0.code, problem: $0.problem) }
        self.codeError = codeError
        empty = lines.isEmpty
        editable = !(cart?.preparedByStore ?? false)
        canCheckout = !(cart?.items.isEmpty ?? true) && (cart?.items.allSatisfy(\.available) ?? false)
        self.message = message
    }
}

public struct CheckoutPage: Sendable {
    public struct Country: Sendable {
        public let code: String
        public let selected: Bool
    }

    public struct Method: Sendable {
        public let value: String
        public let label: String
        public let checked: Bool
    }

    public let values: [String: String]
    public let errors: [String: String]
    public let general: String?
    public let summary: OrderSummary
    public let countries: [Country]
    public let methods: [Method]
    /// The ways to ship to the cart's address, priced; empty until an address is known.
    public let shipping: [Method]
    public let hasShipping: Bool
    public let shippingNote: String?

    public init(cart: Cart, values: [String: String], errors: FieldMessages, shipping options: [ShippingOption] = [], shippingNote: String? = nil) {
        var merged = values
        if let address = cart.shippingAddress {
            for (key, value) in [
                ("name", address.name), ("line1", address.line1), ("line2", address.line2 ?? ""), ("city", address.city),
                ("region", address.region ?? ""), ("postalCode", address.postalCode), ("country", address.country),
            ] where merged[key] == nil {
                merged[key] = value
            }
        }
        if merged["country"] == nil { merged["country"] = "US" }
        shipping = options.map {
            Method(value: $0.id, label: "\($0.name): \(MoneyText.format($0.price))", checked: $0.id == cart.shippingMethod?.id)
        }
        hasShipping = !options.isEmpty
        self.shippingNote = shippingNote
        self.values = merged
        self.errors = errors.messages
        self.general = errors.general
        self.summary = OrderSummary(cart: cart)
        let chosen = merged["country"] ?? "US"
        countries = Address.countries.sorted().map { Country(code: $0, selected: $0 == chosen) }
        let method = merged["paymentMethod"] ?? "card"
        methods = [("card", "Card"), ("bank_transfer", "Bank transfer"), ("cash_on_delivery", "Cash on delivery")].map {
            Method(value: $0.0, label: $0.1, checked: $0.0 == method)
        }
    }
}

public struct PaymentPage: Sendable {
    public let orderNumber: Int
    public let orderID: String
    public let total: String
    public let summary: OrderSummary
    public let values: [String: String]
    public let errors: [String: String]
    public let general: String?
    /// The store takes the built-in test card (test mode without Stripe).
    public let testGateway: Bool
    /// The Stripe.js card form, when the store takes cards through Stripe.
    public let stripe: StripeCardForm?

    public init(order: Order, values: [String: String], errors: FieldMessages, testGateway: Bool = true, stripe: StripeCardForm? = nil) {
        self.testGateway = testGateway
        self.stripe = stripe
        orderNumber = order.number
        orderID = order.id
        total = MoneyText.format(order.total)
        summary = OrderSummary(order: order)
        self.values = values
        self.errors = errors.messages
        self.general = errors.general
    }
}

/// What a page with Stripe.js needs: the store's publishable key, the script's address and the
/// page's own script (a fingerprinted file).
public struct StripeCardForm: Sendable {
    public let publishableKey: String
    public let scriptURL: String
    public let assetPath: String

    public init(publishableKey: String, scriptURL: String, assetPath: String) {
        self.publishableKey = publishableKey
        self.scriptURL = scriptURL
        self.assetPath = assetPath
    }
}

/// Stripe's extra step (3-D Secure) in the shopper's browser, with the intent's client secret.
public struct StripeConfirmPage: Sendable {
    public let orderID: String
    public let orderNumber: Int
    public let total: String
    public let clientSecret: String
    public let stripe: StripeCardForm

    public init(order: Order, clientSecret: String, stripe: StripeCardForm) {
        orderID = order.id
        orderNumber = order.number
        total = MoneyText.format(order.total)
        self.clientSecret = clientSecret
        self.stripe = stripe
    }
}

/// The test provider's extra step (what 3-D Secure is with a real card).
public struct AuthenticationPage: Sendable {
    public let orderID: String
    public let orderNumber: Int
    public let paymentID: String
    public let total: String

    public init(order: Order, paymentID: String) {
        orderID = order.id
        orderNumber = order.number
        self.paymentID = paymentID
        total = MoneyText.format(order.total)
    }
}

public struct ConfirmationPage: Sendable {
    public let orderNumber: Int
    public let email: String
    public let status: String
    public let paid: Bool
    public let awaitingPayment: Bool
    public let expired: Bool
    public let manualMethod: String?
    public let summary: OrderSummary
    public let shipTo: [String]
    /// Where to pay, when the order waits for a card payment that has not been made.
    public var payUrl: String?
    /// The card is authorized and is charged when the order ships (manual capture).
    public var authorized = false

    public init(order: Order) {
        orderNumber = order.number
        email = order.email
        status = order.status.rawValue
        paid = order.status != .pending && order.status != .cancelled && order.status != .expired
        expired = order.status == .expired
        manualMethod = order.paymentMethod == "card" ? nil : (order.paymentMethod == "bank_transfer" ? "bank transfer" : "cash on delivery")
        awaitingPayment = order.status == .pending
        summary = OrderSummary(order: order)
        let a = order.shippingAddress
        shipTo = [a.name, a.line1, a.line2, [a.postalCode, a.city].joined(separator: " "), a.region, a.country].compactMap { $0 }.filter { !$0.isEmpty }
    }
}

/// Customer sign-in and registration forms.
public struct AccountFormPage: Sendable {
    public let register: Bool
    public let values: [String: String]
    public let errors: [String: String]
    public let general: String?

    public init(register: Bool, values: [String: String], errors: FieldMessages) {
        self.register = register
        self.values = values
        self.errors = errors.messages
        self.general = errors.general
    }
}

/// The signed-in customer's account: their orders, newest first.
public struct AccountPage: Sendable {
    public struct OrderItem: Sendable {
        public let id: String
        public let number: Int
        public let date: String
        public let status: String
        public let total: String
    }

    public let name: String
    public let email: String
    public let orders: [OrderItem]
    public let hasOrders: Bool
    public let nextUrl: String?

    public init(customer: Customer, orders: [Order], nextUrl: String?) {
        name = [customer.firstName, customer.lastName].compactMap { $0 }.joined(separator: " ")
        email = customer.email
        self.orders = orders.map {
            OrderItem(id: $0.id, number: $0.number, date: String($0.createdAt.prefix(10)), status: $0.status.rawValue, total: MoneyText.format($0.total))
        }
        hasOrders = !orders.isEmpty
        self.nextUrl = nextUrl
    }
}
