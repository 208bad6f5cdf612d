import Foundation
import LeopardCommerce
import LeopardCore

public struct DashboardPage: Sendable {
    public struct LowStock: Sendable {
        public let product: String
        public let variant: String
        public let stock: Int
        public let url: String

        public init(product: String, variant: String, stock: Int, url: String) {
            self.product = product
            self.variant = variant
            self.stock = stock
            self.url = url
        }
    }

    public let ordersToday: Int
    public let revenueToday: String
    public let awaitingFulfilment: Int
    public let productCount: Int
    public let lowStock: [LowStock]
    public let hasLowStock: Bool
    public let recentOrders: [OrderRow]
    public let hasOrders: Bool
    public let storefrontUrl: String
    /// The signed-in member's address while it is not verified: the page asks them to follow
    /// the mailed link, and offers another.
    public let unverifiedEmail: String?

    public init(
        ordersToday: Int, revenueToday: String, awaitingFulfilment: Int, productCount: Int, lowStock: [LowStock], recentOrders: [Order], storefrontUrl: String,
        unverifiedEmail: String? = nil
    ) {
        self.unverifiedEmail = unverifiedEmail
        self.ordersToday = ordersToday
        self.revenueToday = revenueToday
        self.awaitingFulfilment = awaitingFulfilment
        self.productCount = productCount
        self.lowStock = lowStock
        self.hasLowStock = !lowStock.isEmpty
        self.recentOrders = recentOrders.map(OrderRow.init)
        self.hasOrders = !recentOrders.isEmpty
        self.storefrontUrl = storefrontUrl
    }
}

public struct OrderRow: Sendable {
    public let id: String
    public let number: Int
    public let email: String
    public let status: String
    public let total: String
    public let date: String
    public let items: Int

    public init(_ order: Order) {
        id = order.id
        number = order.number
        email = order.email
        status = order.status.rawValue
        total = MoneyText.format(order.total)
        date = String(order.createdAt.prefix(16)).replacingOccurrences(of: "T", with: " ")
        items = order.lines.reduce(0) { $0 + $1.quantity }
    }
}

public struct ProductRow: Sendable {
    public let id: String
    public let title: String
    public let status: String
    public let price: String
    public let stock: Int
    public let variants: Int
    public let imageUrl: String?

    public init(_ product: Product) {
        id = product.id
        title = product.title
        status = product.status.rawValue
        price = MoneyText.format(product.price)
        stock = product.stock
        variants = product.variants.count
        imageUrl = product.images.first?.url
    }
}

public struct ListPage<Row: Sendable>: Sendable {
    public let rows: [Row]
    public let query: String
    public let nextUrl: String?
    public let firstUrl: String?
    public let filters: [Filter]
    /// Stored, not computed: templates read values by reflection.
    public let empty: Bool

    public struct Filter: Sendable {
        public let label: String
        public let url: String
        public let current: Bool

        public init(label: String, url: String, current: Bool) {
            self.label = label
            self.url = url
            self.current = current
        }
    }

    public init(rows: [Row], query: String, nextUrl: String?, firstUrl: String?, filters: [Filter] = []) {
        self.rows = rows
        self.empty = rows.isEmpty
        self.query = query
        self.nextUrl = nextUrl
        self.firstUrl = firstUrl
        self.filters = filters
    }
}

public struct CustomerRow: Sendable {
    public let email: String
    public let name: String
    public let registered: Bool
    public let since: String
    public let ordersUrl: String
    public let url: String

    public init(_ customer: Customer) {
        email = customer.email
        url = "/admin/customers/\(customer.id)"
        name = [customer.firstName, customer.lastName].compactMap { $0 }.joined(separator: " ")
        registered = customer.registered
        since = String(customer.createdAt.prefix(10))
        ordersUrl = Self.ordersURL(email: customer.email)
    }

    /// The orders page filtered to an address.
    static func ordersURL(email: String) -> String {
        var components = URLComponents()
        components.path = "/admin/orders"
        components.queryItems = [URLQueryItem(name: "email", value: email)]
        return components.percentEncodedQuery.map { "/admin/orders?" + $0.replacingOccurrences(of: "+", with: "%2B") } ?? "/admin/orders"
    }
}

/// The product form, for a new product or an existing one. Values are what the merchant typed
/// (re-shown after an error) or the product's.
public struct ProductFormPage: Sendable {
    public struct StatusChoice: Sendable {
        public let value: String
        public let selected: Bool
    }

    public struct VariantRow: Sendable {
        public let id: String
        public let title: String
        public let price: String
        public let compareAt: String
        public let stock: String
        public let sku: String
        public let weight: String
        public let priceError: String?
        public let stockError: String?
        public let weightError: String?
        /// The product's images to show for this variant, the chosen one selected.
        public let imageChoices: [CategoryChoice]
    }

    public struct ImageItem: Sendable {
        public let id: String
        public let url: String
        public let alt: String
    }

    public let productID: String?
    public let isNew: Bool
    public let heading: String
    public let action: String
    public let values: [String: String]
    public let errors: [String: String]
    public let general: String?
    public let statuses: [StatusChoice]
    /// standard, reduced or exempt: which of the store's tax rates apply.
    public let taxClasses: [StatusChoice]
    /// The store's categories (indented as a tree) and which one the product is in.
    public let categories: [CategoryChoice]

    public struct CategoryChoice: Sendable {
        public let value: String
        public let label: String
        public let selected: Bool
    }
    public let variants: [VariantRow]
    public let hasVariants: Bool
    public let images: [ImageItem]
    public let hasImages: Bool
    /// Images can be chosen per variant.
    public let variantImages: Bool
    public let storefrontUrl: String?
    public let currency: String

    public init(
        product: Product?, values: [String: String], errors: FieldMessages, variantValues: [String: [String: String]], currency: String,
        categories: [(id: String, label: String)] = []
    ) {
        productID = product?.id
        isNew = product == nil
        heading = product.map { "Edit \($0.title)" } ?? "Add a product"
        action = product.map { "/admin/products/\($0.id)" } ?? "/admin/products"
        self.values = values
        self.errors = errors.messages
        self.general = errors.general
        let status = values["status"] ?? "active"
        statuses = ProductStatus.allCases.map { StatusChoice(value: $0.rawValue, selected: $0.rawValue == status) }
        let taxClass = values["taxClass"] ?? "standard"
        taxClasses = TaxClass.allCases.map { StatusChoice(value: $0.rawValue, selected: $0.rawValue == taxClass) }
        let chosen = Set((values["categoryIds"] ?? "").split(separator: ",").map(String.init))
        self.categories = categories.map { CategoryChoice(value: $0.id, label: $0.label, selected: chosen.contains($0.id)) }
        let variantList = (product?.options.isEmpty ?? true) ? [] : (product?.variants ?? [])
        variants = variantList.enumerated().map { index, variant in
            let typed = variantValues[variant.id] ?? [:]
            return VariantRow(
                id: variant.id, title: variant.title,
                price: typed["price"] ?? MoneyText.decimal(variant.price.amount, currency: currency),
                compareAt: typed["compareAt"] ?? variant.compareAtPrice.map { MoneyText.decimal($0.amount, currency: currency) } ?? "",
                stock: typed["stock"] ?? String(variant.stock), sku: typed["sku"] ?? variant.sku ?? "",
                weight: typed["weight"] ?? variant.weight.map(String.init) ?? "", priceError: errors["variants.\(index).price"],
                stockError: errors["variants.\(index).stock"], weightError: errors["variants.\(index).weight"],
                imageChoices: [CategoryChoice(value: "", label: "The product's first image", selected: variant.imageId == nil)]
                    + (product?.images ?? []).enumerated().map { position, image in
                        CategoryChoice(
                            value: image.id, label: "Image \(position + 1)" + (image.alt.isEmpty ? "" : ": " + image.alt), selected: image.id == variant.imageId
                        )
                    })
        }
        hasVariants = !variants.isEmpty
        images = (product?.images ?? []).map { ImageItem(id: $0.id, url: $0.url, alt: $0.alt) }
        hasImages = !images.isEmpty
        variantImages = hasImages && hasVariants
        storefrontUrl = product.flatMap { $0.status == .active ? "/products/\($0.slug)" : nil }
        self.currency = currency
    }
}

public struct OrderDetailPage: Sendable {
    public struct Line: Sendable {
        public let title: String
        public let sku: String?
        public let quantity: Int
        public let unitPrice: String
        public let total: String
    }

    public struct Event: Sendable {
        public let when: String
        public let message: String
    }

    public struct PaymentRow: Sendable {
        public let provider: String
        public let status: String
        public let amount: String
        public let card: String?
    }

    public let id: String
    public let number: Int
    public let status: String
    public let email: String
    public let paymentMethod: String
    public let lines: [Line]
    public let subtotal: String
    public let shipping: String
    public let tax: String
    public let total: String
    /// Subtotal, discounts, shipping with its method, taxes and total, as the shopper saw them.
    public let rows: [OrderSummary.Row]
    public let included: [OrderSummary.Row]
    public let refunded: String?
    /// What can still be refunded, as the amount field's hint (`37.50`).
    public let refundable: String
    public let shipTo: [String]
    public let events: [Event]
    public let payments: [PaymentRow]
    public let canFulfil: Bool
    public let canCancel: Bool
    public let canRefund: Bool
    public let canMarkPaid: Bool
    /// Items can still change: waiting for payment or paid, nothing shipped or refunded.
    public let canEdit: Bool
    /// Shipping in parts and returns.
    public let aftercare: OrderAftercarePage
    public let error: String?

    /// `allows`: whether the member may take an action (`fulfil`, `cancel`, `refund`, `mark-paid`,
    /// `returns`); the page offers only those.
    public init(
        order: Order, payments: [(provider: String, status: String, amount: Money, brand: String?, last4: String?)], error: String?,
        allows: (String) -> Bool = { _ in true }
    ) {
        id = order.id
        number = order.number
        status = order.status.rawValue
        email = order.email
        paymentMethod = order.paymentMethod.replacingOccurrences(of: "_", with: " ")
        lines = order.lines.map {
            Line(
                title: $0.title + ($0.variantTitle.map { $0 == "Default" ? "" : " — " + $0 } ?? ""), sku: $0.sku, quantity: $0.quantity,
                unitPrice: MoneyText.format($0.unitPrice), total: MoneyText.format($0.total))
        }
        subtotal = MoneyText.format(order.subtotal)
        shipping = MoneyText.format(order.shipping)
        tax = MoneyText.format(order.tax)
        total = MoneyText.format(order.total)
        let summary = OrderSummary(order: order)
        rows = summary.rows
        included = summary.included
        refunded = order.refundedTotal.amount > 0 ? MoneyText.format(order.refundedTotal) : nil
        refundable = MoneyText.decimal(max(0, order.total.amount - order.refundedTotal.amount), currency: order.currency)
        let a = order.shippingAddress
        shipTo = [a.name, a.line1, a.line2, [a.postalCode, a.city].joined(separator: " "), a.region, a.country].compactMap { $0 }.filter { !$0.isEmpty }
        events = (order.events ?? []).map { event in
            let who = (event.actor ?? "staff").replacingOccurrences(of: "staff:", with: "")
            return Event(
                when: String(event.createdAt.prefix(16)).replacingOccurrences(of: "T", with: " "),
                message: event.type == Orders.noteEvent ? "Note from \(who): \(event.message)" : event.message)
        }
        self.payments = payments.map { payment in
            PaymentRow(
                provider: payment.provider, status: payment.status, amount: MoneyText.format(payment.amount),
                card: payment.last4.map { "\(payment.brand ?? "card") •••• \($0)" })
        }
        // A card only authorized (capture on fulfilment) is captured when the order is fulfilled.
        let authorizedCard = order.status == .pending && payments.contains { $0.provider == "stripe" && $0.status == "authorized" }
        canRefund =
            allows("refund") && order.refundedTotal.amount < order.total.amount
            && [.paid, .fulfilled, .partiallyRefunded, .partiallyFulfilled, .partiallyReturned, .returned].contains(order.status)
        aftercare = OrderAftercarePage(order: order, canRefund: canRefund, canReturn: allows("returns"))
        canFulfil = allows("fulfil") && (aftercare.canShip || authorizedCard)
        // A paid order is refunded, not cancelled (the API refuses it).
        canCancel = allows("cancel") && order.status == .pending
        canMarkPaid = allows("mark-paid") && order.status == .pending && !authorizedCard
        canEdit =
            allows("edit") && (order.status == .pending || order.status == .paid) && !authorizedCard && order.refundedTotal.amount == 0
            && order.lines.allSatisfy { $0.fulfilledQuantity == 0 && $0.returnedQuantity == 0 }
        self.error = error
    }
}
