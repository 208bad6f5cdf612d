import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Mailed links that bring a cart back to its shopper: the recovery mail for an abandoned
/// checkout, and a draft order's payment link. A link works once, for 14 days; following it
/// gives the cart a new secret (only its digest is stored, so the old one cannot be handed
/// out), which the browser that followed it keeps. A forwarded or leaked link that was used
/// is worth nothing, and the browser that held the cart before lets go of it.
public struct CartLinks: Sendable {
    public let database: any DatabaseHandle

    public init(database: any DatabaseHandle) {
        self.database = database
    }

    /// What following a link gave.
    public enum Restored: Sendable, Equatable {
        /// The cart, with its new secret; `preparedByStore` for a draft order's cart.
        case cart(id: String, secret: String, preparedByStore: Bool)
        /// The cart became an order before the link was followed; the link stays unused.
        case ordered
    }

    /// Mails the shopper of an abandoned cart a link back to it; in one transaction with the
    /// audit entry. 409 for a cart that is not a shopper's open cart with an address and items.
    public func sendRecovery(cartID: String, mail: MailSender, actor: String, now: Date = Date()) async throws -> Cart {
        guard cartID.utf8.count <= 64 else { throw Problem.notFound("There is no cart \(cartID.prefix(64)).") }
        try await database.write { sql in
            let cart = try await Carts.authorize(id: cartID, access: .staff, now: now, on: sql)
            guard cart.status == "active", cart.kind == "shop", let email = cart.email else {
                throw Problem.conflict("Only an open cart with a shopper's e-mail address can be sent a recovery e-mail.")
            }
            guard try await sql.raw("SELECT 1 AS one FROM cart_items WHERE cart_id = \(bind: cartID) LIMIT 1").first() != nil else {
                throw Problem.conflict("The cart is empty.")
            }
            try await Self.mailLink(.cartRecovery, cartID: cartID, objectID: cartID, email: email, mail: mail, now: now, on: sql)
            try await AuditLog.record(
                actor: actor, action: "checkout.recovery_sent", subject: cartID, summary: "Sent a recovery e-mail to \(email)", now: now, on: sql)
        }
        return try await Carts(database: database).get(id: cartID, access: .staff, now: now)
    }

    /// Queues `kind` with a new link to the cart (ending the cart's earlier link), in the
    /// caller's transaction.
    public static func mailLink(
        _ kind: MailKind, cartID: String, objectID: String, email: String, mail: MailSender, now: Date, on sql: any SQLDatabase
    ) async throws {
        let token = try await AccountTokens.issue(.cartLink, email: email, subjectID: cartID, now: now, on: sql)
        try await mail.send(kind, to: email, objectID: objectID, link: token, now: now, on: sql)
        try await sql.raw("UPDATE carts SET link_sent_at = \(bind: now.stamp) WHERE id = \(bind: cartID)").run()
    }

    /// Follows a link for an API client: the cart with its new secret; 409 when the cart became
    /// an order, 404 when the link does not work.
    public func restoredCart(token: String, now: Date = Date()) async throws -> Cart {
        switch try await restore(token: token, now: now) {
        case .cart(let id, let secret, _):
            var cart = try await Carts(database: database).get(id: id, access: .secret(secret), now: now)
            cart.secret = secret
            return cart
        case .ordered:
            throw Problem.conflict("This cart became an order already; its confirmation mail has the details.")
        case nil:
            throw Problem.notFound("The link does not work any more: it was used already, or it has expired.")
        }
    }

    /// The link was used by a request that got there first.
    struct Raced: Error {}

    /// Follows a link: nil when it is unknown, used or expired, or its cart is gone. The cart
    /// changes hands only while it is open (the update says so, so a checkout at the same
    /// moment wins); a shopper's cart keeps its customer only when that customer's address is
    /// the cart's, so nobody files a stranger's order under their own account by putting the
    /// stranger's address on their cart.
    public func restore(token: String, now: Date = Date()) async throws -> Restored? {
        guard token.utf8.count <= 200 else { return nil }
        do {
            return try await database.write { sql -> Restored? in
                guard let link = try await AccountTokens.peek(token, purpose: .cartLink, now: now, on: sql), let cartID = link.subjectID else { return nil }
                let secret = SecureToken.make()
                guard
                    let row = try await sql.raw(
                        """
                        UPDATE carts SET secret_sha256 = \(bind: TokenDigest.hex(secret)),
                            customer_id = CASE WHEN kind = 'draft' OR customer_id IN (SELECT c.id FROM customers c WHERE c.email = carts.email)
                                          THEN customer_id ELSE NULL END
                        WHERE id = \(bind: cartID) AND status = 'active' AND expires_at > \(bind: now.stamp)
                        RETURNING kind
                        """
                    ).first()
                else {
                    let status = try await sql.raw("SELECT status FROM carts WHERE id = \(bind: cartID)").first()?.decode(column: "status", as: String.self)
                    // Checked out: the link stays unused and says so. Expired or gone: it does not work.
                    return status == nil || status == "active" ? nil : .ordered
                }
                guard try await AccountTokens.redeem(token, purpose: .cartLink, now: now, on: sql) != nil else { throw Raced() }
                let kind = try row.decode(column: "kind", as: String.self)
                // A shopper's cart counts as touched (it leaves the abandoned list for a while); a
                // draft's keeps the draft's own lifetime.
                if kind == "shop" { try await Carts.touch(cartID, now: now, on: sql) }
                return .cart(id: cartID, secret: secret, preparedByStore: kind == "draft")
            }
        } catch is Raced {
            return nil
        }
    }
}
