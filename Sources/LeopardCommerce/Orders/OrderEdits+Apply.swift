import Foundation
import LeopardCore
import SQLKit

/// The steps of an order edit, inside its transaction.
extension OrderEdits {
    /// A line as the edit leaves it (quantity 0: removed).
    struct EditedLine {
        var id: String
        /// Nil for a line the edit adds.
        var before: Int?
        var productID: String
        var variantID: String
        var title: String
        var variantTitle: String?
        var sku: String?
        var unitPrice: Int
        var quantity: Int
        var taxClass: TaxClass
        var categoryID: String?
        var categoryIDs: [String] = []
    }

    func apply(orderID: String, changes: Changes, actor: String, save: Bool, now: Date, on sql: any SQLDatabase) async throws -> Outcome {
        guard let order = try await OrderReader(sql: sql).orders(ids: [orderID], withEvents: false).first else { throw Self.notFound(orderID) }
        if let refusal = try await Self.refusal(order, now: now, on: sql) { throw Problem.conflict(refusal) }
        for id in changes.quantities.keys where !order.lines.contains(where: { $0.id == id }) {
            throw Problem.invalid("lines", "names a line that is not on this order: \(id.prefix(64))")
        }
        var lines = try await Self.existingLines(order, quantities: changes.quantities, on: sql)
        lines += try await Self.newLines(changes.added, order: order, now: now, on: sql)
        let kept = lines.filter { $0.quantity > 0 }
        guard !kept.isEmpty else { throw Problem.invalid("lines", "must leave at least one item on the order; cancel the order instead") }
        let flat = try await StoreSettings.load(on: sql)?.taxRateBasisPoints ?? 0
        let result = try await Self.price(kept, order: order, flatBasisPoints: flat, on: sql)
        let before = order.total.amount
        if order.status == .paid, result.total > before {
            let more = AmountText.plain(Money(amount: result.total - before, currency: order.currency))
            throw Problem.conflict(
                "The edit would make this paid order \(more) dearer. Make a draft order for the extra items and send its payment link instead.")
        }
        try await Self.moveStock(lines, orderID: orderID, actor: actor, now: now, on: sql)
        try await Self.writeLines(lines, result: result, orderID: orderID, on: sql)
        try await Self.writeTotals(result, orderID: orderID, currency: order.currency, now: now, on: sql)
        let difference = Money(amount: result.total - before, currency: order.currency)
        let refundDue = order.status == .paid && difference.amount < 0 ? Money(amount: -difference.amount, currency: order.currency) : nil
        if save {
            let message = Self.describe(lines, before: order.total, after: Money(amount: result.total, currency: order.currency), refundDue: refundDue)
            try await Orders.addEvent(orderID: orderID, type: "edited", message: message, actor: actor, now: now, on: sql)
            try await AuditLog.record(actor: actor, action: "order.edited", subject: orderID, summary: "\(order.name): " + message, now: now, on: sql)
            try await Outbox.publishOrder(.orderEdited, orderID: orderID, now: now, on: sql)
            try await MailQueue.enqueue(.orderEdited, to: order.email, objectID: orderID, now: now, on: sql)
        }
        guard let edited = try await OrderReader(sql: sql).orders(ids: [orderID], withEvents: true).first else { throw Self.notFound(orderID) }
        return Outcome(order: edited, previousTotal: order.total, difference: difference, refundDue: refundDue, saved: save)
    }

    static func existingLines(_ order: Order, quantities: [String: Int], on sql: any SQLDatabase) async throws -> [EditedLine] {
        let products = Set(order.lines.filter { !$0.custom }.map(\.productId))
        var facts: [String: (TaxClass, String?)] = [:]
        if !products.isEmpty {
            for row in try await sql.raw("SELECT id, tax_class, category_id FROM products WHERE id IN (\(binds: Array(products)))").all() {
                facts[try row.decode(column: "id", as: String.self)] = (
                    TaxClass(rawValue: try row.decode(column: "tax_class", as: String.self)) ?? .standard,
                    try row.decode(column: "category_id", as: String?.self)
                )
            }
        }
        var all: [String: [String]] = [:]
        if !products.isEmpty {
            for row in try await sql.raw("SELECT product_id, category_id FROM product_categories WHERE product_id IN (\(binds: Array(products)))").all() {
                all[try row.decode(column: "product_id", as: String.self), default: []].append(try row.decode(column: "category_id", as: String.self))
            }
        }
        // A custom line keeps the tax class it was sold with.
        var custom: [String: TaxClass] = [:]
        if order.lines.contains(where: \.custom) {
            for row in try await sql.raw("SELECT id, tax_class FROM order_lines WHERE order_id = \(bind: order.id) AND custom = 1").all() {
                custom[try row.decode(column: "id", as: String.self)] = TaxClass(rawValue: try row.decode(column: "tax_class", as: String?.self) ?? "standard")
            }
        }
        if let gone = order.lines.first(where: { !$0.custom && facts[$0.productId] == nil }) {
            throw Problem.conflict("\(gone.title) was deleted from the catalog, so this order can no longer be re-priced; cancel or refund it instead.")
        }
        return order.lines.map { line in
            EditedLine(
                id: line.id, before: line.quantity, productID: line.productId, variantID: line.variantId, title: line.title, variantTitle: line.variantTitle,
                sku: line.sku, unitPrice: line.unitPrice.amount, quantity: quantities[line.id] ?? line.quantity,
                taxClass: custom[line.id] ?? facts[line.productId]?.0 ?? .standard, categoryID: facts[line.productId]?.1, categoryIDs: all[line.productId] ?? []
            )
        }
    }

    static func newLines(_ added: [(variantID: String, quantity: Int)], order: Order, now: Date, on sql: any SQLDatabase) async throws -> [EditedLine] {
        var lines: [EditedLine] = []
        var errors: [Problem.FieldError] = []
        for (index, line) in added.enumerated() {
            if order.lines.contains(where: { $0.variantId == line.variantID }) {
                errors.append(.init(field: "add.\(index).variantId", message: "is on the order already; change that line's quantity"))
                continue
            }
            guard
                let row = try await sql.raw(
                    """
                    SELECT v.product_id, v.title, v.sku, v.price, p.title AS product_title, p.tax_class, p.category_id
                    FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.id = \(bind: line.variantID) AND p.status = 'active'
                    """
                ).first()
            else {
                errors.append(.init(field: "add.\(index).variantId", message: "is not a product for sale in this store"))
                continue
            }
            lines.append(
                EditedLine(
                    id: Identifier.make("line", date: now), before: nil, productID: try row.decode(column: "product_id", as: String.self),
                    variantID: line.variantID, title: try row.decode(column: "product_title", as: String.self),
                    variantTitle: try row.decode(column: "title", as: String?.self), sku: try row.decode(column: "sku", as: String?.self),
                    unitPrice: try row.decode(column: "price", as: Int.self), quantity: line.quantity,
                    taxClass: TaxClass(rawValue: try row.decode(column: "tax_class", as: String.self)) ?? .standard,
                    categoryID: try row.decode(column: "category_id", as: String?.self),
                    categoryIDs: try await sql.raw(
                        "SELECT category_id FROM product_categories WHERE product_id = \(bind: try row.decode(column: "product_id", as: String.self)) ORDER BY position"
                    ).all().map { try $0.decode(column: "category_id", as: String.self) }))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return lines
    }

    /// The one calculation, with the order's discounts (as they are now; one deleted since is
    /// gone), its shipping as charged, and the tax for its address.
    static func price(_ lines: [EditedLine], order: Order, flatBasisPoints: Int, on sql: any SQLDatabase) async throws -> Pricing.Result {
        let pricingLines = lines.map {
            Pricing.Line(id: $0.id, unitPrice: $0.unitPrice, quantity: $0.quantity, taxClass: $0.taxClass, productID: $0.productID, categoryID: $0.categoryID)
        }
        var discounts: [Pricing.Discount] = []
        let subtotal = lines.reduce(0) { $0 + $1.unitPrice * $1.quantity }
        for applied in order.discounts {
            let name = applied.code ?? applied.title
            // The discount as it was when the order was placed, or the edit is not priced the
            // way the order was: a changed or deleted one stops the edit.
            guard let found = try await Discounts.find(id: applied.id, on: sql), found.updatedAt <= order.createdAt,
                let discount = try await DiscountRules.expandingCategories([found], on: sql).first
            else {
                throw Problem.conflict("The discount \(name) changed or was deleted since the order was placed, so the order can no longer be edited.")
            }
            // Its minimums are checked again: an order edited below them loses the discount.
            if let minimum = discount.minSubtotal, subtotal < minimum.amount { continue }
            let limited = !discount.productIds.isEmpty || !discount.categoryIds.isEmpty
            let eligible = lines.filter { line in
                discount.productIds.contains(line.productID) || discount.categoryIds.contains(line.categoryID ?? "")
                    || line.categoryIDs.contains(where: discount.categoryIds.contains)
            }
            let counted = limited ? eligible : lines
            if let minimum = discount.minQuantity, counted.reduce(0, { $0 + $1.quantity }) < minimum { continue }
            discounts.append(
                .init(id: discount.id, code: discount.code, title: discount.title, effect: discount.effect(), lineIDs: limited ? Set(eligible.map(\.id)) : nil))
        }
        let tax = try await TaxRates.rule(for: order.shippingAddress, flatBasisPoints: flatBasisPoints, on: sql)
        return Pricing.calculate(
            .init(lines: pricingLines, discounts: discounts, shipping: order.shipping.amount, tax: tax, pricesIncludeTax: order.pricesIncludeTax))
    }
}
