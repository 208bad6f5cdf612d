import Foundation
import LeopardCore
import SQLKit

/// Reads a cart with live prices and stock, and computes its totals.
struct CartReader {
    let sql: any SQLDatabase

    struct Line {
        var item: CartItem
        let productID: String?
        let trackInventory: Bool
        var taxClass: TaxClass = .standard
        var weightGrams: Int?
        var categoryID: String?
        /// Every category of the product (discounts limited to categories look at all of them).
        var categoryIDs: [String] = []
    }

    func lines(cartID: String, currency: String) async throws -> [Line] {
        let rows = try await sql.raw(
            """
            SELECT ci.id, ci.variant_id, ci.quantity, v.product_id, v.title AS variant_title, v.sku, v.price, v.stock, v.track_inventory,
                   v.weight_grams, p.title AS product_title, p.status AS product_status, p.tax_class, p.category_id
            FROM cart_items ci
            LEFT JOIN product_variants v ON v.id = ci.variant_id
            LEFT JOIN products p ON p.id = v.product_id
            WHERE ci.cart_id = \(bind: cartID)
            ORDER BY ci.created_at, ci.id
            """
        ).all()
        let products = Set(try rows.compactMap { try $0.decode(column: "product_id", as: String?.self) })
        var categories: [String: [String]] = [:]
        if !products.isEmpty {
            for row in try await sql.raw("SELECT product_id, category_id FROM product_categories WHERE product_id IN (\(binds: Array(products)))").all() {
                categories[try row.decode(column: "product_id", as: String.self), default: []].append(try row.decode(column: "category_id", as: String.self))
            }
        }
        let catalog = try rows.map { row in
            let quantity = try row.decode(column: "quantity", as: Int.self)
            let productID = try row.decode(column: "product_id", as: String?.self)
            let price = try row.decode(column: "price", as: Int?.self) ?? 0
            let stock = try row.decode(column: "stock", as: Int?.self) ?? 0
            let tracked = (try row.decode(column: "track_inventory", as: Int?.self) ?? 1) != 0
            let status = try row.decode(column: "product_status", as: String?.self)
            var problem: String?
            if productID == nil || status != "active" {
                problem = "is no longer for sale"
            } else if tracked && quantity > stock {
                problem = stock == 0 ? "is sold out" : "only \(stock) left"
            }
            let item = CartItem(
                id: try row.decode(column: "id", as: String.self),
                variantId: try row.decode(column: "variant_id", as: String.self),
                productId: productID,
                title: try row.decode(column: "product_title", as: String?.self) ?? "Unavailable product",
                variantTitle: try row.decode(column: "variant_title", as: String?.self),
                sku: try row.decode(column: "sku", as: String?.self),
                unitPrice: Money(amount: price, currency: currency),
                quantity: quantity,
                lineTotal: Money(amount: price * quantity, currency: currency),
                available: problem == nil,
                problem: problem
            )
            return Line(
                item: item, productID: productID, trackInventory: tracked,
                taxClass: TaxClass(rawValue: try row.decode(column: "tax_class", as: String?.self) ?? "standard") ?? .standard,
                weightGrams: try row.decode(column: "weight_grams", as: Int?.self), categoryID: try row.decode(column: "category_id", as: String?.self),
                categoryIDs: productID.flatMap { categories[$0] } ?? [])
        }
        return catalog + (try await customLines(cartID: cartID, currency: currency))
    }

    /// A draft's lines that are not in the catalog: always for sale, never counted in stock.
    func customLines(cartID: String, currency: String) async throws -> [Line] {
        let rows = try await sql.raw(
            """
            SELECT id, title, unit_price, quantity, tax_class, weight_grams FROM cart_custom_lines
            WHERE cart_id = \(bind: cartID) ORDER BY position
            """
        ).all()
        return try rows.map { row in
            let price = try row.decode(column: "unit_price", as: Int.self)
            let quantity = try row.decode(column: "quantity", as: Int.self)
            let item = CartItem(
                id: try row.decode(column: "id", as: String.self), variantId: "", productId: nil, title: try row.decode(column: "title", as: String.self),
                variantTitle: nil, sku: nil, unitPrice: Money(amount: price, currency: currency), quantity: quantity,
                lineTotal: Money(amount: price * quantity, currency: currency), available: true, problem: nil, custom: true)
            return Line(
                item: item, productID: nil, trackInventory: false,
                taxClass: TaxClass(rawValue: try row.decode(column: "tax_class", as: String.self)) ?? .standard,
                weightGrams: try row.decode(column: "weight_grams", as: Int?.self))
        }
    }

    func cart(id: String) async throws -> Cart {
        guard
            let row = try await sql.raw(
                """
                SELECT id, status, email, customer_id, order_id, created_at, updated_at, expires_at, shipping_address_json, shipping_method_id, kind, link_sent_at
                FROM carts WHERE id = \(bind: id)
                """
            ).first()
        else {
            throw Problem.notFound("There is no cart \(id.prefix(64)).")
        }
        guard let settings = try await StoreSettings.load(on: sql) else { throw Problem.notFound("This store has no settings.") }
        var lines = try await lines(cartID: id, currency: settings.currency)
        let address = try row.decode(column: "shipping_address_json", as: String?.self).map { try JSONText.decode(Address.self, from: $0) }
        let shopper = DiscountRules.Shopper(
            customerID: try row.decode(column: "customer_id", as: String?.self), email: try row.decode(column: "email", as: String?.self))
        let resolution = try await DiscountRules.resolve(cartID: id, lines: lines, shopper: shopper, currency: settings.currency, now: Date(), on: sql)
        let priced = try await CartPricing.price(
            lines, address: address, methodID: try row.decode(column: "shipping_method_id", as: String?.self), discounts: resolution.pricing,
            terms: .init(settings), on: sql)
        let currency = settings.currency
        let totals = Totals(priced.result, currency: currency)
        let lineDiscounts = Dictionary(priced.result.lines.map { ($0.id, $0.discount) }, uniquingKeysWith: { first, _ in first })
        for index in lines.indices { lines[index].item.discount = Money(amount: lineDiscounts[lines[index].item.id] ?? 0, currency: currency) }
        let problems = Dictionary(resolution.problems.map { ($0.code, $0.reason) }, uniquingKeysWith: { first, _ in first })
        return Cart(
            id: id,
            status: try row.decode(column: "status", as: String.self),
            email: try row.decode(column: "email", as: String?.self),
            currency: currency,
            items: lines.map(\.item),
            itemCount: lines.reduce(0) { $0 + $1.item.quantity },
            subtotal: totals.subtotal,
            shipping: totals.shipping,
            tax: totals.tax,
            total: totals.total,
            totals: totals,
            discounts: priced.result.discounts.map { AppliedDiscount($0, currency: currency) },
            discountCodes: resolution.codes.map { CartDiscountCode(code: $0, applied: problems[$0] == nil, problem: problems[$0]) },
            taxLines: priced.result.taxLines.map { TaxLine($0, currency: currency) },
            pricesIncludeTax: priced.pricesIncludeTax,
            shippingAddress: address,
            shippingMethod: priced.method,
            shipsToAddress: !priced.outsideZones && !priced.noMethod,
            orderId: try row.decode(column: "order_id", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: String.self),
            expiresAt: try row.decode(column: "expires_at", as: String.self),
            preparedByStore: try row.decode(column: "kind", as: String.self) == "draft",
            linkSentAt: try row.decode(column: "link_sent_at", as: String?.self),
            secret: nil
        )
    }
}
