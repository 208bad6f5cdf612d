import Foundation
import LeopardCommerce
import LeopardCore
import LeopardPayments
import LeopardStorage
import SQLKit

extension DraftOrders {
    /// Turns a draft into an order: its cart is checked out (stock taken, the number given, the
    /// confirmation mailed) and, with `markPaid`, the order is paid at once. Completing a draft
    /// twice gives the same order (the cart's checkout is idempotent), and pays it once. Taking the
    /// money outside the platform is a payment: `markPaid` needs the `payments` permission too.
    public func complete(id: String, _ completion: Completion, by caller: StaffPrincipal, placement: OrderPlacement, now: Date = Date()) async throws -> Order {
        if completion.markPaid == true { try caller.require(anyOf: [.payments]) }
        let actor = caller.actor
        let method = completion.paymentMethod ?? "bank_transfer"
        guard Checkout.paymentMethods.contains(method) else {
            throw Problem.invalid("paymentMethod", "must be one of " + Checkout.paymentMethods.joined(separator: ", "))
        }
        if completion.markPaid == true, method == "card" {
            throw Problem.invalid("markPaid", "goes with bank_transfer or cash_on_delivery: a card is paid by the customer")
        }
        guard
            let row = try await database.read({ sql in try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM draft_orders WHERE id = \(bind: id)").first() }
            )
        else { throw Self.notFound(id) }
        let shipping = try JSONText.decode(Address.self, from: try row.decode(column: "shipping_address_json", as: String.self))
        let billing = try row.decode(column: "billing_address_json", as: String?.self).map { try JSONText.decode(Address.self, from: $0) }
        let input = Checkout.Input(
            email: try row.decode(column: "email", as: String.self), shippingAddress: shipping, billingAddress: billing, paymentMethod: method)
        let outcome = try await placement.place(
            cartID: try row.decode(column: "cart_id", as: String.self), access: .staff, input: input,
            customerID: try row.decode(column: "customer_id", as: String?.self), idempotency: nil, database: database)
        guard case .value(let placed) = outcome else { throw Problem.conflict("The draft could not be completed; try again.") }
        let orderID = placed.order.id
        let first = try await database.write { sql in
            let updated = try await sql.raw(
                """
                UPDATE draft_orders SET status = 'completed', order_id = \(bind: orderID), updated_at = \(bind: now.stamp)
                WHERE id = \(bind: id) AND status = 'open' RETURNING id
                """
            ).first()
            guard updated != nil else { return false }
            try await Orders.addEvent(orderID: orderID, type: "draft", message: "Created from a draft by staff", actor: actor, now: now, on: sql)
            try await AuditLog.record(
                actor: actor, action: "draft_order.completed", subject: id, summary: "Completed as order \(placed.order.name) (\(method))", now: now, on: sql)
            return true
        }
        if first, completion.markPaid == true, placed.order.status == OrderStatus.pending {
            try await Payments(database: database).markPaidManually(orderID: orderID, actor: actor, now: now)
        }
        guard let order = try await Orders(database: database).find(id: orderID) else { throw Problem.notFound("There is no order \(orderID).") }
        return order
    }
}
