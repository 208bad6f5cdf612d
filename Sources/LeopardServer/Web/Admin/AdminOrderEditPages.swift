import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// An order's items edited in the admin (the `orders` permission), through the same
/// `OrderEdits` as `POST /api/orders/:id/edits`: preview first, then save.
struct AdminOrderEditPages {
    let routes: AdminRoutes

    func page(
        _ visit: AdminVisit, order: Order, values: [String: String] = [:], preview: OrderEdits.Outcome? = nil, error: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var query = ProductQuery()
        query.limit = 100
        query.status = .active
        let products = try await ProductCatalog(database: visit.database, currency: visit.settings.currency).list(query).data
        let onOrder = Set(order.lines.map(\.variantId))
        let variants = products.flatMap { product in
            product.variants.filter { !onOrder.contains($0.id) }.map {
                ($0.id, product.title + ($0.title == "Default" ? "" : " — " + $0.title) + " (\(MoneyText.format($0.price)))")
            }
        }
        let model = OrderEditPage(order: order, variants: variants, values: values, preview: preview, error: error)
        return try visit.page("admin/order-edit", model, title: "Edit order #\(order.number)", section: "/admin/orders", status: status)
    }

    /// The form: preview (nothing changes) or save (then back to the order).
    func post(_ visit: AdminVisit, order: Order, fields: FormFields, actor: String) async throws -> Response {
        var values: [String: String] = [:]
        var changes: [OrderEdits.Input.LineChange] = []
        var problems: [String] = []
        for line in order.lines {
            let text = String((fields["qty_\(line.id)"] ?? "").prefix(9)).trimmingWhitespace()
            values["qty_\(line.id)"] = text
            guard let quantity = Int(text) else {
                problems.append("Enter a whole number for \(line.title).")
                continue
            }
            if quantity != line.quantity { changes.append(.init(lineId: line.id, quantity: quantity)) }
        }
        var added: [Carts.LineInput] = []
        values["addVariant"] = fields.text("addVariant").map { String($0.prefix(64)) }
        values["addQuantity"] = String((fields["addQuantity"] ?? "1").prefix(9))
        if let variant = values["addVariant"] {
            if let quantity = Int(values["addQuantity"] ?? "") {
                added.append(.init(variantId: variant, quantity: quantity))
            } else {
                problems.append("Enter how many to add.")
            }
        }
        guard problems.isEmpty else {
            return try await page(visit, order: order, values: values, error: problems.joined(separator: " "), status: .unprocessableContent)
        }
        let save = fields["mode"] == "save"
        let input = OrderEdits.Input(lines: changes, add: added, expectedTotal: fields.text("expectedTotal").flatMap { Int($0.prefix(20)) })
        switch await visit.attempt({ try await OrderEdits(database: visit.database).edit(orderID: order.id, input, actor: actor, save: save) }) {
        case .success(let outcome):
            if save { return routes.pages.redirect(to: "/admin/orders/\(order.id)?done=edited") }
            return try await page(visit, order: order, values: values, preview: outcome)
        case .failure(let problem):
            let message = ([problem.detail ?? problem.title] + problem.errors.map { "\($0.field) \($0.message)" }).joined(separator: " ")
            return try await page(visit, order: order, values: values, error: message, status: problem.pageStatus)
        }
    }
}
