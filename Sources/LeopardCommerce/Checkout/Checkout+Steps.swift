import Foundation
import LeopardCore
import SQLKit

/// The steps of `Checkout.complete` that touch the cart and the stock, each inside its
/// transaction.
extension Checkout {
    enum Claim {
        /// The cart was checked out before: its order.
        case ordered(Result)
        /// The cart is now this checkout's, and belonged to this customer, if any; the shopper
        /// chose this shipping method, if any; `prepared` for a draft order's cart.
        case claimed(customer: String?, shippingMethodID: String?, prepared: Bool)
    }

    static func claim(cartID: String, access: CartAccess, orderID: String, email: String, now: Date, on sql: any SQLDatabase) async throws -> Claim {
        let stamp = now.stamp
        // Claim the cart first, in the statement that marks it checked out (and locks it on
        // PostgreSQL); the secret is checked on what it returns, and any refusal below rolls
        // the claim back with everything else. A cart that is not active and unexpired takes
        // the slower path that tells why (or returns the order it already became).
        let claimed = try await sql.raw(
            """
            UPDATE carts SET status = 'completed', order_id = \(bind: orderID), email = \(bind: email), updated_at = \(bind: stamp)
            WHERE id = \(bind: cartID) AND status = 'active' AND expires_at >= \(bind: stamp)
            RETURNING secret_sha256, customer_id, shipping_method_id, kind
            """
        ).first()
        guard let claimed else {
            let cart = try await Carts.authorize(id: cartID, access: access, now: now, on: sql)
            if cart.status != "active", let existing = cart.orderID,
                let order = try await OrderReader(sql: sql).orders(ids: [existing], withEvents: true).first
            {
                return .ordered(Result(order: order, created: false))
            }
            throw Problem.conflict("This cart cannot be checked out now; reload it and try again.")
        }
        if case .secret(let secret) = access {
            guard let secret, TokenDigest.matches(secret, digest: try claimed.decode(column: "secret_sha256", as: String.self)) else {
                throw Problem.notFound("There is no cart \(cartID.prefix(64)).")
            }
        }
        // A draft order's cart became an order (the customer through the payment link, or
        // staff): the draft is done.
        let prepared = try claimed.decode(column: "kind", as: String.self) == "draft"
        if prepared {
            try await sql.raw(
                """
                UPDATE draft_orders SET status = 'completed', order_id = \(bind: orderID), updated_at = \(bind: stamp)
                WHERE cart_id = \(bind: cartID) AND status = 'open'
                """
            ).run()
        }
        return .claimed(
            customer: try claimed.decode(column: "customer_id", as: String?.self),
            shippingMethodID: try claimed.decode(column: "shipping_method_id", as: String?.self), prepared: prepared)
    }

    /// Stock: quantities summed per variant, taken in id order by a conditional update each;
    /// every variant that falls short is named, and the transaction rolls back.
    static func takeStock(_ lines: [CartReader.Line], orderID: String, now: Date, on sql: any SQLDatabase) async throws {
        var wanted: [String: Int] = [:]
        for line in lines where line.trackInventory { wanted[line.item.variantId, default: 0] += line.item.quantity }
        var short: [String] = []
        var after: [String: Int] = [:]
        for variantID in wanted.keys.sorted() {
            if let stock = try await Inventory.apply(variantID: variantID, delta: -(wanted[variantID] ?? 0), now: now, on: sql) {
                after[variantID] = stock
            } else {
                short.append(variantID)
            }
        }
        if !short.isEmpty {
            let rows = try await sql.raw("SELECT id, stock FROM product_variants WHERE id IN (\(binds: short))").all()
            var stock: [String: Int] = [:]
            for row in rows { stock[try row.decode(column: "id", as: String.self)] = try row.decode(column: "stock", as: Int.self) }
            throw Problem.conflict("Not enough stock for some items.", errors: short.map { .init(field: $0, message: "only \(stock[$0] ?? 0) left") })
        }
        for (variantID, stock) in after.sorted(by: { $0.key < $1.key }) {
            try await Inventory.record(
                variantID: variantID, delta: -(wanted[variantID] ?? 0), stockAfter: stock, reason: "order", reference: orderID, actor: nil, now: now, on: sql)
        }
    }

    /// The order's lines, in the cart's order, with what the calculation gave each.
    static func insertLines(
        _ lines: [CartReader.Line], priced: Pricing.Result, orderID: String, now: Date, on sql: any SQLDatabase
    ) async throws -> [OrderLine] {
        var orderLines: [OrderLine] = []
        let results = Dictionary(priced.lines.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for (position, line) in lines.enumerated() {
            let item = line.item
            let result = results[item.id]
            let currency = item.unitPrice.currency
            let orderLine = OrderLine(
                id: Identifier.make("line", date: now), productId: line.productID ?? "", variantId: item.variantId, title: item.title,
                variantTitle: item.variantTitle, sku: item.sku, unitPrice: item.unitPrice, quantity: item.quantity, total: item.lineTotal,
                discount: Money(amount: result?.discount ?? 0, currency: currency), tax: Money(amount: result?.tax ?? 0, currency: currency),
                custom: item.custom
            )
            try await sql.raw(
                """
                INSERT INTO order_lines (id, order_id, position, product_id, variant_id, title, variant_title, sku, unit_price, quantity, line_total,
                                         discount, tax, custom, tax_class)
                VALUES (\(bind: orderLine.id), \(bind: orderID), \(bind: position), \(bind: orderLine.productId), \(bind: item.variantId),
                        \(bind: item.title), \(bind: item.variantTitle), \(bind: item.sku), \(bind: item.unitPrice.amount), \(bind: item.quantity), \(bind: item.lineTotal.amount),
                        \(bind: orderLine.discount.amount), \(bind: orderLine.tax.amount), \(bind: item.custom ? 1 : 0),
                        \(bind: item.custom ? line.taxClass.rawValue : nil))
                """
            ).run()
            orderLines.append(orderLine)
        }
        return orderLines
    }
}
