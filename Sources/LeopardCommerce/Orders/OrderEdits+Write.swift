import Foundation
import LeopardCore
import SQLKit

/// What an order edit writes: the stock it moves, the lines and the totals.
extension OrderEdits {
    /// Fewer items go back to stock; more (and new lines) are taken, never below zero: any
    /// variant that falls short is named and the whole edit rolls back.
    static func moveStock(_ lines: [EditedLine], orderID: String, actor: String, now: Date, on sql: any SQLDatabase) async throws {
        var deltas: [String: Int] = [:]
        for line in lines { deltas[line.variantID, default: 0] += (line.before ?? 0) - line.quantity }
        let moving = deltas.filter { $0.value != 0 }
        guard !moving.isEmpty else { return }
        let tracked = Set(
            try await sql.raw("SELECT id FROM product_variants WHERE id IN (\(binds: Array(moving.keys))) AND track_inventory = 1").all()
                .map { try $0.decode(column: "id", as: String.self) })
        var short: [Problem.FieldError] = []
        for (variantID, delta) in moving.sorted(by: { $0.key < $1.key }) where tracked.contains(variantID) {
            guard let after = try await Inventory.apply(variantID: variantID, delta: delta, now: now, on: sql) else {
                short.append(.init(field: variantID, message: "not enough in stock"))
                continue
            }
            try await Inventory.record(
                variantID: variantID, delta: delta, stockAfter: after, reason: "order_edited", reference: orderID, actor: actor, now: now, on: sql)
        }
        guard short.isEmpty else { throw Problem.conflict("Not enough stock for some items.", errors: short) }
    }

    static func writeLines(_ lines: [EditedLine], result: Pricing.Result, orderID: String, on sql: any SQLDatabase) async throws {
        let priced = Dictionary(result.lines.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var position =
            try await sql.raw("SELECT MAX(position) AS top FROM order_lines WHERE order_id = \(bind: orderID)").first()?
            .decode(column: "top", as: Int?.self) ?? 0
        for line in lines {
            let total = line.unitPrice * line.quantity
            let discount = priced[line.id]?.discount ?? 0
            let tax = priced[line.id]?.tax ?? 0
            if line.quantity == 0 {
                try await sql.raw("DELETE FROM order_lines WHERE id = \(bind: line.id) AND order_id = \(bind: orderID)").run()
            } else if line.before != nil {
                try await sql.raw(
                    """
                    UPDATE order_lines SET quantity = \(bind: line.quantity), line_total = \(bind: total), discount = \(bind: discount), tax = \(bind: tax)
                    WHERE id = \(bind: line.id) AND order_id = \(bind: orderID)
                    """
                ).run()
            } else {
                position += 1
                try await sql.raw(
                    """
                    INSERT INTO order_lines (id, order_id, position, product_id, variant_id, title, variant_title, sku, unit_price, quantity, line_total,
                                             discount, tax)
                    VALUES (\(bind: line.id), \(bind: orderID), \(bind: position), \(bind: line.productID), \(bind: line.variantID), \(bind: line.title),
                            \(bind: line.variantTitle), \(bind: line.sku), \(bind: line.unitPrice), \(bind: line.quantity), \(bind: total), \(bind: discount),
                            \(bind: tax))
                    """
                ).run()
            }
        }
    }

    static func writeTotals(_ result: Pricing.Result, orderID: String, currency: String, now: Date, on sql: any SQLDatabase) async throws {
        // The sales ledger moves by the difference, in the quarter hour the order was placed.
        // A paid order's money stays taken until the refund the edit calls for is made (which
        // counts then), so its total does not move here.
        if let placed = try await SalesLedger.placed(orderID: orderID, on: sql) {
            let after = SalesLedger.Change(
                orders: 1, gross: result.subtotal, discounts: result.discount, tax: result.tax, shipping: placed.change.shipping,
                total: placed.paid ? placed.change.total : result.total)
            try await SalesLedger.record(after - placed.change, at: placed.at, on: sql)
        }
        let taxLines = result.taxLines.map { TaxLine($0, currency: currency) }
        let discounts = result.discounts.filter { $0.amount > 0 }.map { AppliedDiscount($0, currency: currency) }
        try await sql.raw(
            """
            UPDATE orders SET subtotal = \(bind: result.subtotal), discount_total = \(bind: result.discount), tax = \(bind: result.tax),
                total = \(bind: result.total), tax_lines_json = \(bind: try JSONText.encode(taxLines)), discounts_json = \(bind: try JSONText.encode(discounts)),
                updated_at = \(bind: now.stamp)
            WHERE id = \(bind: orderID)
            """
        ).run()
    }

    /// The timeline's words: what changed, and what it does to the total.
    static func describe(_ lines: [EditedLine], before: Money, after: Money, refundDue: Money?) -> String {
        var parts: [String] = []
        for line in lines where line.before != line.quantity {
            let name = line.variantTitle.map { $0 == "Default" ? line.title : "\(line.title) (\($0))" } ?? line.title
            switch (line.before, line.quantity) {
            case (nil, let quantity): parts.append("added \(quantity) × \(name)")
            case (_, 0): parts.append("removed \(name)")
            case (let old?, let quantity): parts.append("\(name) \(old) → \(quantity)")
            }
        }
        var text = "Edited: " + parts.joined(separator: ", ") + ". Total \(AmountText.plain(before)) → \(AmountText.plain(after))"
        if let refundDue { text += "; \(AmountText.plain(refundDue)) to refund" }
        return text + "."
    }
}
