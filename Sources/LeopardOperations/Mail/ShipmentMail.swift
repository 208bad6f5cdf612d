import LeopardCommerce
import LeopardCore
import LeopardWeb

/// The mail for one shipment: what is in the parcel, how to follow it, and whether more is to come.
struct ShipmentMail {
    let storeName: String

    func content(_ order: Order, _ shipment: Fulfillment, account: MailContent.Action?) -> MailContent {
        let byID = Dictionary(order.lines.map { ($0.id, $0) }) { first, _ in first }
        let lines = shipment.lines.compactMap { item -> MailContent.Summary.Line? in
            guard let line = byID[item.lineId] else { return nil }
            let title = line.variantTitle.map { "\(line.title) (\($0))" } ?? line.title
            return .init(
                title: title, quantity: item.quantity, total: MoneyText.format(Money(amount: line.unitPrice.amount * item.quantity, currency: order.currency)))
        }
        let complete = order.fulfillmentStatus == "fulfilled" && order.fulfillments.last?.id == shipment.id
        var paragraphs = [
            complete
                ? "Order \(order.name) has left \(storeName) and is on its way to you."
                : "Part of order \(order.name) has left \(storeName) and is on its way to you. We will write again when the rest ships."
        ]
        let via = [shipment.carrier, shipment.trackingNumber.map { "tracking number \($0)" }].compactMap { $0 }.joined(separator: ", ")
        if !via.isEmpty { paragraphs.append("It travels with \(via).") }
        let address = order.shippingAddress
        let place = [address.postalCode, address.city, address.region].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        let summary = MailContent.Summary(
            lines: lines, totals: [],
            address: [address.name, address.line1, address.line2, place, address.country].compactMap { $0 }.filter { !$0.isEmpty })
        let track = shipment.trackingUrl.map { MailContent.Action(label: "Track your parcel", url: $0) }
        return MailContent(
            subject: "Order \(order.name) is on its way", heading: complete ? "Your order has shipped" : "Part of your order has shipped",
            paragraphs: paragraphs, action: track ?? account, summary: summary)
    }
}
