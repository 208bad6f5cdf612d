import Foundation
import LeopardCommerce
import LeopardCore
import LeopardStorage
import SQLKit

extension DraftOrders {
    /// Mails the draft's customer a link to its cart, where they check the details, choose how
    /// to pay and pay; their checkout completes the draft. Sending again ends the earlier link.
    /// 409 once the draft is completed.
    public func sendPaymentLink(id: String, mail: MailSender, actor: String, now: Date = Date()) async throws -> Draft {
        guard id.utf8.count <= 64 else { throw Self.notFound(id) }
        try await database.write { sql in
            guard
                let row = try await sql.raw(
                    """
                    SELECT d.status, d.email, d.cart_id, c.status AS cart_status FROM draft_orders d JOIN carts c ON c.id = d.cart_id
                    WHERE d.id = \(bind: id)
                    """
                ).first()
            else { throw Self.notFound(id) }
            guard try row.decode(column: "status", as: String.self) == "open", try row.decode(column: "cart_status", as: String.self) == "active" else {
                throw Problem.conflict("This draft is an order already.")
            }
            let email = try row.decode(column: "email", as: String.self)
            try await CartLinks.mailLink(
                .draftInvoice, cartID: try row.decode(column: "cart_id", as: String.self), objectID: id, email: email, mail: mail, now: now, on: sql)
            try await AuditLog.record(
                actor: actor, action: "draft_order.link_sent", subject: id, summary: "Sent the payment link to \(email)", now: now, on: sql)
        }
        guard let draft = try await find(id: id) else { throw Self.notFound(id) }
        return draft
    }
}
