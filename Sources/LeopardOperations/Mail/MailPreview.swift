import Foundation
import LeopardCommerce
import LeopardCore
import LeopardMail
import LeopardStorage
import LeopardWeb

/// Each kind of mail as the store would send it now, for the admin's preview: written from the
/// store's newest order (or a made-up one when it has none), its colours, logo and sender
/// settings. Nothing is queued or sent, and no link in a preview works.
extension StoreMailer {
    public func preview(_ kind: MailKind, slug: String, database: any DatabaseHandle, now: Date = Date()) async throws -> MailMessage {
        guard let settings = try await StoreSettings.load(from: database) else { throw Problem.notFound("The store has no settings yet.") }
        let composer = MailComposer(settings: settings, storeURL: configuration.storeURL(slug: slug), database: database)
        let content = try await composer.preview(kind)
        let recipient = kind.isForStaff ? "owner@example.com" : "shopper@example.com"
        return try message(content, kind: kind, recipient: recipient, messageID: "preview", settings: settings, storeURL: composer.storeURL, now: now)
    }
}

extension MailComposer {
    /// Stands where a link's secret would be: a preview's links lead to a page saying the link
    /// does not work.
    static let previewToken = "preview"

    func preview(_ kind: MailKind) async throws -> MailContent {
        switch kind {
        case .orderConfirmation, .orderPaid, .orderShipped, .orderCancelled, .orderRefunded, .orderEdited, .newOrder:
            let newest = try await Orders(database: database).list(Orders.Filter(), page: try PageRequest(limit: "1", cursor: nil)).data.first
            guard let newest else {
                return orderMail(kind, sampleOrder(account: MailContent.Action(label: "View your order", url: storeURL + "/orders/preview")))
            }
            return orderMail(kind, OrderFacts(newest, account: try await ownOrderAction(newest)))
        case .lowStock:
            return lowStock(productID: "", title: "Example product (Large)", stock: 2)
        case .cartRecovery, .draftInvoice:
            guard
                let content = CartMail(storeName: settings.name, storeURL: storeURL).content(
                    kind, cart: Cart.example(currency: settings.currency), link: Self.previewToken)
            else {
                throw Problem.notFound("There is no preview of \(kind.rawValue).")
            }
            return content
        default:
            guard let content = AccountMailText(storeName: settings.name, storeURL: storeURL).content(kind, link: Self.previewToken) else {
                throw Problem.notFound("There is no preview of \(kind.rawValue).")
            }
            return content
        }
    }

    /// An order of two things in the store's currency, for a store that has none yet.
    private func sampleOrder(account: MailContent.Action) -> OrderFacts {
        let money = { (amount: Int) in Money(amount: amount, currency: settings.currency) }
        let summary = MailContent.Summary(
            lines: [
                .init(title: "Example product (Large)", quantity: 2, total: MoneyText.format(money(5000))),
                .init(title: "Another product", quantity: 1, total: MoneyText.format(money(1250))),
            ],
            totals: [
                .init(label: "Subtotal", amount: MoneyText.format(money(6250))), .init(label: "Shipping", amount: MoneyText.format(money(500))),
                .init(label: "Total", amount: MoneyText.format(money(6750))),
            ],
            address: ["Ada Shopper", "1 Example Street", "12345 Springfield", "US"])
        return OrderFacts(
            id: "preview", name: "#1001", email: "shopper@example.com", total: money(6750), refunded: money(6750), paymentMethod: "card", summary: summary,
            account: account)
    }
}
