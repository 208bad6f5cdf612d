import LeopardCommerce
import LeopardCore

/// The order page's shipping and returns: a form to ship some or all of what is left (with
/// tracking), the shipments so far, a form to record items coming back, and the returns with
/// what is left to refund of each.
public struct OrderAftercarePage: Sendable {
    public struct Line: Sendable {
        public let id: String
        public let title: String
        public let ordered: Int
        public let shipped: Int
        public let returned: Int
        /// What is left to ship (the ship form's default) and what could come back.
        public let toShip: Int
        public let returnable: Int
        /// For the templates, whose sections treat any number as true.
        public let shippable: Bool
        public let canComeBack: Bool
    }

    public struct Shipment: Sendable {
        public let when: String
        public let items: String
        public let carrier: String?
        public let trackingNumber: String?
        public let trackingUrl: String?
    }

    public struct Return: Sendable {
        public let id: String
        public let orderId: String
        public let when: String
        public let items: String
        public let amount: String
        public let refunded: String
        public let reason: String?
        public let restocked: Bool
        /// Something is left to refund (and the order has a payment to refund from).
        public let canRefund: Bool
    }

    public let lines: [Line]
    public let shipments: [Shipment]
    public let returns: [Return]
    public let canShip: Bool
    public let canReturn: Bool
    public let hasShipments: Bool
    public let hasReturns: Bool

    public init(order: Order, canRefund: Bool, canReturn: Bool) {
        let titles = Dictionary(order.lines.map { ($0.id, $0.title + ($0.variantTitle.map { $0 == "Default" ? "" : " — " + $0 } ?? "")) }) { a, _ in a }
        lines = order.lines.map { line in
            Line(
                id: line.id, title: titles[line.id] ?? line.title, ordered: line.quantity, shipped: line.fulfilledQuantity, returned: line.returnedQuantity,
                toShip: line.quantity - line.fulfilledQuantity, returnable: line.fulfilledQuantity - line.returnedQuantity,
                shippable: line.quantity > line.fulfilledQuantity, canComeBack: line.fulfilledQuantity > line.returnedQuantity)
        }
        func items(_ pairs: [(String, Int)]) -> String {
            pairs.map { "\($0.1) × \(titles[$0.0] ?? "item")" }.joined(separator: ", ")
        }
        func when(_ stamp: String) -> String { String(stamp.prefix(16)).replacingOccurrences(of: "T", with: " ") }
        shipments = order.fulfillments.map { shipment in
            Shipment(
                when: when(shipment.createdAt), items: items(shipment.lines.map { ($0.lineId, $0.quantity) }), carrier: shipment.carrier,
                trackingNumber: shipment.trackingNumber, trackingUrl: shipment.trackingUrl)
        }
        returns = order.returns.map { entry in
            Return(
                id: entry.id, orderId: order.id, when: when(entry.createdAt), items: items(entry.lines.map { ($0.lineId, $0.quantity) }),
                amount: MoneyText.format(entry.amount),
                refunded: MoneyText.format(entry.refundedAmount), reason: entry.reason.isEmpty ? nil : entry.reason, restocked: entry.restock,
                canRefund: canRefund && entry.refundedAmount.amount < entry.amount.amount)
        }
        hasShipments = !shipments.isEmpty
        hasReturns = !returns.isEmpty
        // The server has the last word (a fully refunded order with a return shows `returned`).
        canShip = ![.pending, .cancelled, .expired, .refunded, .fulfilled].contains(order.status) && lines.contains { $0.toShip > 0 }
        self.canReturn = canReturn && lines.contains { $0.returnable > 0 }
    }
}
