import Foundation
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// The mails that carry a link back to a cart: the recovery mail for a checkout the shopper
/// left, and a draft order's payment link. Each shows what is in the cart, priced now.
struct CartMail {
    let storeName: String
    let storeURL: String

    func content(_ kind: MailKind, cart: Cart, link token: String) -> MailContent? {
        let url = storeURL + "/cart/restore?token=" + token
        switch kind {
        case .cartRecovery:
            return MailContent(
                subject: "You left something in your cart at \(storeName)", heading: "Your cart is waiting",
                paragraphs: ["You left these in your cart at \(storeName). Follow the link to pick up where you left off."],
                action: .init(label: "Return to my cart", url: url), summary: Self.summary(of: cart),
                footnote: "The link works once, for 14 days, in the browser you open it in.")
        case .draftInvoice:
            return MailContent(
                subject: "Your order from \(storeName): \(MoneyText.format(cart.total))", heading: "Your order is ready to pay",
                paragraphs: ["\(storeName) prepared this order for you. Follow the link to check the details and pay."],
                action: .init(label: "Review and pay", url: url), summary: Self.summary(of: cart),
                footnote: "The link works once, for 14 days, in the browser you open it in.")
        default:
            return nil
        }
    }

    static func summary(of cart: Cart) -> MailContent.Summary {
        let lines = cart.items.map { item in
            MailContent.Summary.Line(
                title: item.variantTitle.map { "\(item.title) (\($0))" } ?? item.title, quantity: item.quantity, total: MoneyText.format(item.lineTotal))
        }
        return MailComposer.summary(lines: lines, totals: OrderSummary(cart: cart), address: cart.shippingAddress)
    }
}
