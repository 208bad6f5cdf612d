import Foundation
import LeopardCommerce
import LeopardCore
import LeopardStorage
import LeopardWeb

/// Writes what each kind of mail says, from the store's data as it is when the mail is sent.
/// Nil when what the mail is about no longer exists (then it is not sent).
struct MailComposer {
    let settings: StoreSettings
    /// The store's address, `http://slug.localhost:8080`.
    let storeURL: String
    let database: any DatabaseHandle
    /// Orders read once for a whole batch (an order's confirmation and the owner's notice
    /// usually go together); any other is read when its mail is written.
    var orders: [String: Order] = [:]

    /// The kinds whose subject is an order (`objectID` is its id), read for a batch at once. A
    /// kind missing here still works: its mail reads its own order.
    static let orderKinds: Set<MailKind> = [.orderConfirmation, .orderPaid, .orderShipped, .orderCancelled, .orderRefunded, .orderEdited, .newOrder]

    /// The order, from the batch's when it was read with it.
    private func order(_ id: String) async throws -> Order? {
        if let known = orders[id] { return known }
        return try await Orders(database: database).find(id: id)
    }

    func content(_ kind: MailKind, objectID: String?, link: String?) async throws -> MailContent? {
        switch kind {
        case .orderShipped where objectID?.hasPrefix("ful_") == true:
            // One shipment's mail: its items and tracking.
            guard let objectID, let orderID = try await Fulfillments(database: database).orderID(fulfillmentID: objectID),
                let order = try await Orders(database: database).find(id: orderID), let shipment = order.fulfillments.first(where: { $0.id == objectID })
            else { return nil }
            return ShipmentMail(storeName: settings.name).content(order, shipment, account: try await ownOrderAction(order))
        case .orderConfirmation, .orderPaid, .orderShipped, .orderCancelled, .orderRefunded, .orderEdited, .newOrder:
            guard let objectID, let order = try await order(objectID) else { return nil }
            return orderMail(kind, OrderFacts(order, account: try await ownOrderAction(order)))
        case .cartRecovery, .draftInvoice:
            guard let objectID, let link, let cart = try await linkedCart(kind, objectID: objectID) else { return nil }
            return CartMail(storeName: settings.name, storeURL: storeURL).content(kind, cart: cart, link: link)
        case .lowStock:
            guard let objectID, let level = try await Inventory(database: database).level(variantID: objectID) else { return nil }
            return lowStock(productID: level.productID, title: "\(level.productTitle) (\(level.variantTitle))", stock: level.stock)
        default:
            return AccountMailText(storeName: settings.name, storeURL: storeURL).content(kind, link: link)
        }
    }

    /// The cart a link mail is about, while it is still open: a recovery mail's cart, or a
    /// draft's.
    func linkedCart(_ kind: MailKind, objectID: String) async throws -> Cart? {
        var cartID = objectID
        if kind == .draftInvoice {
            guard let draft = try await DraftOrders(database: database).find(id: objectID), draft.status == "open" else { return nil }
            cartID = draft.cart.id
        }
        do {
            let cart = try await Carts(database: database).get(id: cartID, access: .staff)
            return cart.status == "active" ? cart : nil
        } catch let problem as Problem where problem.status == 404 {
            return nil
        }
    }

    func lowStock(productID: String, title: String, stock: Int) -> MailContent {
        MailContent(
            subject: "Low stock: \(title)", heading: "Running low", paragraphs: ["\(title) has \(stock) left in stock."],
            action: .init(label: "Open the product", url: storeURL + "/admin/products/" + productID),
            footnote: "You get this because low-stock notices are on in the store's settings.")
    }

    /// What an order's mails say about it.
    struct OrderFacts {
        let id: String
        let name: String
        let email: String
        let total: Money
        let refunded: Money
        let paymentMethod: String
        let summary: MailContent.Summary
        /// The link to the order in the shopper's account, when their account shows it.
        let account: MailContent.Action?

        init(_ order: Order, account: MailContent.Action?) {
            (id, name, email, total, refunded) = (order.id, order.name, order.email, order.total, order.refundedTotal)
            (paymentMethod, summary, self.account) = (order.paymentMethod, MailComposer.summary(of: order), account)
        }

        init(
            id: String, name: String, email: String, total: Money, refunded: Money, paymentMethod: String, summary: MailContent.Summary,
            account: MailContent.Action?
        ) {
            (self.id, self.name, self.email, self.total, self.refunded) = (id, name, email, total, refunded)
            (self.paymentMethod, self.summary, self.account) = (paymentMethod, summary, account)
        }
    }

    func orderMail(_ kind: MailKind, _ order: OrderFacts) -> MailContent {
        let name = settings.name
        let summary = order.summary
        let own = order.account
        switch kind {
        case .orderConfirmation:
            return MailContent(
                subject: "Order \(order.name) confirmed", heading: "Thank you for your order",
                paragraphs: ["We have your order \(order.name) at \(name). " + paymentNote(order)], action: own, summary: summary)
        case .orderPaid:
            return MailContent(
                subject: "Payment received for order \(order.name)", heading: "Payment received",
                paragraphs: ["We have received \(MoneyText.format(order.total)) for order \(order.name). We will let you know when it ships."], action: own)
        case .orderShipped:
            return MailContent(
                subject: "Order \(order.name) is on its way", heading: "Your order has shipped",
                paragraphs: ["Order \(order.name) has left \(name) and is on its way to you."], action: own, summary: summary)
        case .orderCancelled:
            return MailContent(
                subject: "Order \(order.name) cancelled", heading: "Your order was cancelled",
                paragraphs: ["Order \(order.name) at \(name) was cancelled. If you paid for it, the money is returned to you."], action: own)
        case .orderEdited:
            return MailContent(
                subject: "Order \(order.name) was changed", heading: "Your order was changed",
                paragraphs: [
                    "\(name) changed the items of order \(order.name). It now comes to \(MoneyText.format(order.total)); "
                        + "if you paid more than that, the difference is refunded to you."
                ], action: own, summary: summary)
        case .orderRefunded:
            return MailContent(
                subject: "Refund for order \(order.name)", heading: "Your refund",
                paragraphs: ["\(MoneyText.format(order.refunded)) of order \(order.name) has been refunded to you. It can take a few days to appear."],
                action: own)
        default:
            return MailContent(
                subject: "New order \(order.name): \(MoneyText.format(order.total))", heading: "New order \(order.name)",
                paragraphs: [
                    "\(order.email) placed order \(order.name) for \(MoneyText.format(order.total)) (\(order.paymentMethod.replacingOccurrences(of: "_", with: " ")))."
                ],
                action: .init(label: "Open the order", url: storeURL + "/admin/orders/" + order.id), summary: summary,
                footnote: "You get this because new-order notices are on in the store's settings.")
        }
    }

    private func paymentNote(_ order: OrderFacts) -> String {
        switch order.paymentMethod {
        case "bank_transfer": return "Please transfer \(MoneyText.format(order.total)) quoting \(order.name); we ship once it arrives."
        case "cash_on_delivery": return "You pay \(MoneyText.format(order.total)) when it is delivered."
        default: return "We will let you know when it ships."
        }
    }

    /// A link to the order for a shopper whose account shows it; none for a guest (whose
    /// confirmation page is tied to the browser they ordered in).
    func ownOrderAction(_ order: Order) async throws -> MailContent.Action? {
        guard let customerID = order.customerId, let customer = try await Customers(database: database, hasher: PasswordHasher()).find(id: customerID),
            customer.registered
        else { return nil }
        return .init(label: "View your order", url: storeURL + "/orders/" + order.id)
    }

    static func summary(of order: Order) -> MailContent.Summary {
        let lines = order.lines.map { line in
            MailContent.Summary.Line(
                title: line.variantTitle.map { "\(line.title) (\($0))" } ?? line.title, quantity: line.quantity, total: MoneyText.format(line.total))
        }
        return summary(lines: lines, totals: OrderSummary(order: order), address: order.shippingAddress)
    }

    /// A mail's summary of lines, the rows every summary shows (discounts, shipping with its
    /// method, each tax) and the address, line by line.
    static func summary(lines: [MailContent.Summary.Line], totals summary: OrderSummary, address: Address?) -> MailContent.Summary {
        let totals = (summary.rows + summary.included).map { MailContent.Summary.Row(label: $0.label, amount: $0.amount) }
        let shown = address.map { address in
            let place = [address.postalCode, address.city, address.region ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
            return [address.name, address.line1, address.line2 ?? "", place, address.country].filter { !$0.isEmpty }
        }
        return .init(lines: lines, totals: totals, address: shown ?? [])
    }
}
