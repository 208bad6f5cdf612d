import Foundation
import LeopardCore
import SQLKit

/// Which discounts a cart gets and why a code does not apply, and the uses an order makes of
/// them: counted in the checkout's transaction (so a limit of 100 gives exactly 100 orders,
/// however many check out at once), given back when the order is cancelled.
public enum DiscountRules {
    struct Shopper {
        let customerID: String?
        let email: String?
    }

    /// Why `discount` does not apply to these lines for this shopper now; nil when it does.
    static func problem(_ discount: Discount, lines: [CartReader.Line], shopper: Shopper, now: Date, on sql: any SQLDatabase) async throws -> String? {
        let stamp = now.stamp
        if !discount.active { return "is not active" }
        if let start = discount.startsAt, start > stamp { return "is not valid yet" }
        if let end = discount.endsAt, end <= stamp { return "has expired" }
        if let limit = discount.usageLimit, discount.timesUsed >= limit { return "has been used up" }
        if !discount.customerIds.isEmpty {
            guard let customer = shopper.customerID else { return "needs you to sign in" }
            if !discount.customerIds.contains(customer) { return "is not available to you" }
        }
        if !discount.customerTags.isEmpty {
            guard let customer = shopper.customerID else { return "needs you to sign in" }
            let tags = try await CustomerRecords.tags(customerID: customer, on: sql)
            if !discount.customerTags.contains(where: tags.contains) { return "is not available to you" }
        }
        let counted = lines.filter(\.item.available)
        let eligible = counted.filter { lineIDs(discount, counted)?.contains($0.item.id) ?? true }
        if eligible.isEmpty { return "does not apply to anything in the cart" }
        if let minimum = discount.minSubtotal {
            let subtotal = counted.reduce(0) { $0 + $1.item.lineTotal.amount }
            if subtotal < minimum.amount { return "needs a subtotal of at least \(AmountText.plain(minimum))" }
        }
        if let minimum = discount.minQuantity, eligible.reduce(0, { $0 + $1.item.quantity }) < minimum {
            return "needs at least \(minimum) eligible items"
        }
        if let limit = discount.perCustomerLimit, let email = shopper.email, try await uses(of: discount.id, email: email, on: sql) >= limit {
            return "has been used as many times as it can be by you"
        }
        return nil
    }

    /// The discounts with the categories under the ones they name added (a discount on Garden
    /// takes Garden › Tools too); one query for each discount that names categories.
    static func expandingCategories(_ discounts: [Discount], on sql: any SQLDatabase) async throws -> [Discount] {
        var expanded = discounts
        for index in expanded.indices where !expanded[index].categoryIds.isEmpty {
            let named = expanded[index].categoryIds
            let below = try await sql.raw(
                """
                WITH RECURSIVE tree(id) AS (SELECT id FROM categories WHERE id IN (\(binds: named))
                    UNION SELECT c.id FROM categories c JOIN tree t ON c.parent_id = t.id)
                SELECT id FROM tree
                """
            ).all().map { try $0.decode(column: "id", as: String.self) }
            expanded[index].categoryIds = named + below.filter { !named.contains($0) }
        }
        return expanded
    }

    /// The lines a discount is limited to (by product or category); nil for every line.
    static func lineIDs(_ discount: Discount, _ lines: [CartReader.Line]) -> Set<String>? {
        guard !discount.productIds.isEmpty || !discount.categoryIds.isEmpty else { return nil }
        let products = Set(discount.productIds)
        let categories = Set(discount.categoryIds)
        return Set(
            lines.filter { line in
                products.contains(line.productID ?? "") || categories.contains(line.categoryID ?? "") || line.categoryIDs.contains(where: categories.contains)
            }.map(\.item.id))
    }

    struct Resolution {
        /// In the order they are taken, ready for the calculation.
        let applied: [Discount]
        let pricing: [Pricing.Discount]
        /// The cart's codes that do not apply, and why.
        let problems: [(code: String, reason: String)]
        /// Every code the cart holds, in the order entered.
        let codes: [String]
    }

    /// The cart's codes that apply, and the automatic discounts that apply and combine with them.
    static func resolve(
        cartID: String?, lines: [CartReader.Line], shopper: Shopper, currency: String, now: Date, on sql: any SQLDatabase
    ) async throws -> Resolution {
        var codes: [Discount] = []
        if let cartID {
            let ids = try await sql.raw("SELECT discount_id FROM cart_discounts WHERE cart_id = \(bind: cartID) ORDER BY created_at, discount_id").all()
                .map { try $0.decode(column: "discount_id", as: String.self) }
            if !ids.isEmpty {
                let found = try await sql.raw("SELECT \(unsafeRaw: Discounts.columns) FROM discounts WHERE id IN (\(binds: ids)) AND automatic = 0").all()
                    .map { try Discounts.discount($0, currency: currency) }
                codes = try await expandingCategories(ids.compactMap { id in found.first { $0.id == id } }, on: sql)
            }
        }
        var applied: [Discount] = []
        var problems: [(String, String)] = []
        for discount in codes {
            if let reason = try await problem(discount, lines: lines, shopper: shopper, now: now, on: sql) {
                problems.append((discount.code ?? discount.title, reason))
            } else if let first = applied.first, !first.combinable || !discount.combinable {
                // Codes that stopped combining since they were entered (a staff edit): the first stays.
                problems.append((discount.code ?? discount.title, "cannot be combined with \(first.code ?? first.title)"))
            } else {
                applied.append(discount)
            }
        }
        if applied.allSatisfy(\.combinable) {
            let automatic = try await expandingCategories(
                try await sql.raw("SELECT \(unsafeRaw: Discounts.columns) FROM discounts WHERE automatic = 1 AND active = 1 ORDER BY id LIMIT 20")
                    .all().map { try Discounts.discount($0, currency: currency) }, on: sql)
            var eligible: [Discount] = []
            let held = Set(applied.map(\.id))
            for discount in automatic where !held.contains(discount.id) {
                if try await problem(discount, lines: lines, shopper: shopper, now: now, on: sql) == nil { eligible.append(discount) }
            }
            let combinable = eligible.filter(\.combinable)
            if !combinable.isEmpty || !applied.isEmpty {
                applied += combinable
            } else if let alone = eligible.first {
                applied.append(alone)
            }
        }
        applied.sort { $0.precedence < $1.precedence }
        let pricing = applied.map { Pricing.Discount(id: $0.id, code: $0.code, title: $0.title, effect: $0.effect(), lineIDs: lineIDs($0, lines)) }
        return Resolution(applied: applied, pricing: pricing, problems: problems, codes: codes.compactMap(\.code))
    }

    /// How many live uses the address has made of a discount.
    static func uses(of discountID: String, email: String, on sql: any SQLDatabase) async throws -> Int {
        try await sql.raw(
            "SELECT COUNT(*) AS n FROM discount_usages WHERE discount_id = \(bind: discountID) AND email = \(bind: email.lowercased()) AND released_at IS NULL"
        ).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Counts the order's use of each discount, in the checkout's transaction: the conditional
    /// update takes the discount's row (so concurrent checkouts queue on it) and refuses one
    /// over the limit; the per-shopper count is read under that lock.
    static func recordUses(_ discounts: [Discount], orderID: String, email: String, customerID: String?, now: Date, on sql: any SQLDatabase) async throws {
        // By id: every transaction locks discount rows in one order.
        for discount in discounts.sorted(by: { $0.id < $1.id }) {
            let name = discount.code ?? discount.title
            let counted = try await sql.raw(
                """
                UPDATE discounts SET times_used = times_used + 1
                WHERE id = \(bind: discount.id) AND (usage_limit IS NULL OR times_used < usage_limit) RETURNING id
                """
            ).first()
            guard counted != nil else { throw refusal(name, "has been used up") }
            if let limit = discount.perCustomerLimit, try await uses(of: discount.id, email: email, on: sql) >= limit {
                throw refusal(name, "has been used as many times as it can be by you")
            }
            try await sql.raw(
                """
                INSERT INTO discount_usages (id, discount_id, order_id, email, customer_id, created_at)
                VALUES (\(bind: Identifier.make("use", date: now)), \(bind: discount.id), \(bind: orderID), \(bind: email.lowercased()), \(bind: customerID), \(bind: now.stamp))
                """
            ).run()
        }
    }

    /// Gives back the uses a cancelled order made. Called after the order's stock is returned
    /// (variant rows before discount rows, in every transaction).
    public static func release(orderID: String, now: Date, on sql: any SQLDatabase) async throws {
        let released = try await sql.raw(
            "UPDATE discount_usages SET released_at = \(bind: now.stamp) WHERE order_id = \(bind: orderID) AND released_at IS NULL RETURNING discount_id"
        ).all()
        for id in try released.map({ try $0.decode(column: "discount_id", as: String.self) }).sorted() {
            try await sql.raw("UPDATE discounts SET times_used = times_used - 1 WHERE id = \(bind: id) AND times_used > 0").run()
        }
    }

    static func refusal(_ code: String, _ reason: String) -> Problem {
        Problem.conflict("The code \(code) \(reason).", errors: [.init(field: "code", message: reason)])
    }
}

/// Amounts in plain text where no page formats them: `50.00 EUR`, `1500 JPY`.
enum AmountText {
    static func plain(_ money: Money) -> String {
        let digits = Currency.minorUnits[money.currency] ?? 2
        guard digits > 0 else { return "\(money.amount) \(money.currency)" }
        var scale = 1
        for _ in 0..<digits { scale *= 10 }
        let fraction = String(money.amount % scale + scale).dropFirst()
        return "\(money.amount / scale).\(fraction) \(money.currency)".trimmingCharacters(in: .whitespaces)
    }
}
