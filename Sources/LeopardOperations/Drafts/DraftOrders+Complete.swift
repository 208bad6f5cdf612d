import Foundation
import LeopardCommerce
import LeopardCore
import LeopardPayments
import LeopardStorage
import SQLKit

extension DraftOrders {
    /// Turns a draft into an order: its cart is checked out (stock taken, the number given, the
    /// confirmation mailed) and, with `markPaid`, the order is paid at once. Completing a draft
    /// twice gives the same order (the cart's checkout is idempotent, and marks the draft
    /// completed in its transaction), and pays it once. Taking the
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
        guard placed.created else {
            // The cart became an order before: through this draft's payment link, or an
            // earlier completion. Taking money outside the platform for an order the customer
            // placed is marked on the order itself, where staff see it.
            if completion.markPaid == true, placed.order.status == .pending {
                throw Problem.conflict("The customer placed this order through the payment link; mark it paid on the order's page if they paid another way.")
            }
            guard let order = try await Orders(database: database).find(id: orderID) else { throw Problem.notFound("There is no order \(orderID).") }
            return order
        }
        try await database.write { sql in
            try await Orders.addEvent(orderID: orderID, type: "draft", message: "Created from a draft by staff", actor: actor, now: now, on: sql)
            try await AuditLog.record(
                actor: actor, action: "draft_order.completed", subject: id, summary: "Completed as order \(placed.order.name) (\(method))", now: now, on: sql)
        }
        if completion.markPaid == true, placed.order.status == OrderStatus.pending {
            try await Payments(database: database).markPaidManually(orderID: orderID, actor: actor, now: now)
        }
        guard let order = try await Orders(database: database).find(id: orderID) else { throw Problem.notFound("There is no order \(orderID).") }
        return order
    }
}
