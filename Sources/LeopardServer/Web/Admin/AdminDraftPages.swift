import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import LeopardWeb

/// Draft orders in the admin (the `orders` permission; marking paid also needs `payments`),
/// through the same service as `/api/draft-orders`.
struct AdminDraftPages {
    let routes: AdminRoutes

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/admin/drafts") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            return try await drafts(visit, values: [:], errors: FieldMessages())
        }
        router.post("/admin/drafts") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let fields = try await visit.form()
            let (checkout, address) = CheckoutPageRoutes.checkoutInput(fields)
            var values = address
            values["discountCode"] = String((fields["discountCode"] ?? "").prefix(100))
            values["note"] = String((fields["note"] ?? "").prefix(1000))
            let lines = (1...4).compactMap { index -> Carts.LineInput? in
                guard let variant = fields.text("variant_\(index)") else { return nil }
                return Carts.LineInput(variantId: String(variant.prefix(64)), quantity: Int((fields["quantity_\(index)"] ?? "1").prefix(6)) ?? 0)
            }
            let (custom, typed, unreadable, rows) = Self.customLines(fields, currency: visit.settings.currency)
            values.merge(typed) { _, new in new }
            if !unreadable.isEmpty {
                let errors = FieldMessages(unreadable.map { ($0, "must be an amount like 12.50") }, general: "Check the fields marked below.")
                return try await drafts(visit, values: values, errors: errors, status: .unprocessableContent)
            }
            let input = DraftOrders.Input(
                email: checkout.email, lines: lines, customLines: custom, shippingAddress: checkout.shippingAddress,
                discountCode: fields.text("discountCode"), note: fields.text("note"))
            let created = await visit.attempt { try await DraftOrders(database: visit.database).create(input, actor: try visit.requireStaff().actor) }
            switch created {
            case .success(let draft): return routes.pages.redirect(to: "/admin/drafts/\(draft.id)")
            case .failure(let problem):
                let errors = FieldMessages(form: problem, field: { Self.formField($0, rows: rows) })
                return try await drafts(visit, values: values, errors: errors, status: problem.pageStatus)
            }
        }
        registerLinks(on: router)
        router.get("/admin/drafts/abandoned") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let query = request.queryDictionary
            let sent = query["sent"] == "1" ? "The recovery e-mail is on its way. Its link works once, for 14 days." : nil
            return try await abandoned(visit, hours: query["hours"], cursor: query["cursor"], notice: sent)
        }
        router.get("/admin/drafts/:draftId") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let sent = request.queryDictionary["sent"] == "1" ? "The payment link is on its way. It works once, for 14 days." : nil
            return try await draft(visit, id: try context.parameters.require("draftId"), error: nil, notice: sent)
        }
        router.post("/admin/drafts/:draftId/complete") { request, context in
            let visit = try await routes.visit(request, context)
            guard let staff = visit.staff else { return visit.signIn() }
            let fields = try await visit.form()
            let id = try context.parameters.require("draftId")
            let completion = DraftOrders.Completion(paymentMethod: fields.text("paymentMethod"), markPaid: fields["markPaid"] == "1")
            let placement = OrderPlacement(providers: routes.services.paymentProviders, metrics: routes.services.metrics)
            let completed = await visit.attempt {
                try await DraftOrders(database: visit.database).complete(id: id, completion, by: staff, placement: placement)
            }
            switch completed {
            case .success(let order): return routes.pages.redirect(to: "/admin/orders/\(order.id)?done=\(order.status == .paid ? "paid" : "created-order")")
            case .failure(let problem): return try await draft(visit, id: id, error: problem.detail ?? problem.title, status: problem.pageStatus)
            }
        }
    }

    /// The custom item rows that have a title or a price, what was typed in every row, the
    /// price fields that hold no amount, and the form row of each line sent.
    static func customLines(_ fields: FormFields, currency: String) -> ([Carts.CustomLineInput], [String: String], [String], [Int]) {
        var typed: [String: String] = [:]
        var unreadable: [String] = []
        var rows: [Int] = []
        var lines: [Carts.CustomLineInput] = []
        for index in 1...DraftsPage.customRows {
            let title = String((fields["custom_title_\(index)"] ?? "").prefix(300))
            let price = String((fields["custom_price_\(index)"] ?? "").prefix(30))
            let quantity = String((fields["custom_quantity_\(index)"] ?? "1").prefix(6))
            let taxClass = String((fields["custom_tax_\(index)"] ?? "standard").prefix(20))
            (typed["custom_title_\(index)"], typed["custom_price_\(index)"], typed["custom_quantity_\(index)"]) = (title, price, quantity)
            typed["custom_tax_\(index)"] = taxClass
            guard !title.trimmingWhitespace().isEmpty || !price.trimmingWhitespace().isEmpty else { continue }
            guard let amount = MoneyText.parse(price, currency: currency) else {
                unreadable.append("custom_unitPrice_\(index)")
                continue
            }
            lines.append(Carts.CustomLineInput(title: title, unitPrice: MoneyInput(amount: amount), quantity: Int(quantity) ?? 0, taxClass: taxClass))
            rows.append(index)
        }
        return (lines, typed, unreadable, rows)
    }

    /// The API's field names on this form: `customLines.0.title` is `custom_title_N` for the
    /// row N the first line sent came from (blank rows are not sent).
    static func formField(_ apiField: String, rows: [Int]) -> String {
        let parts = apiField.split(separator: ".")
        if parts.count >= 3, parts[0] == "customLines", let index = Int(parts[1]), rows.indices.contains(index) {
            return "custom_\(parts[2])_\(rows[index])"
        }
        return CheckoutPageRoutes.formField(apiField)
    }

    func drafts(_ visit: AdminVisit, values: [String: String], errors: FieldMessages, status: HTTPResponse.Status = .ok) async throws -> Response {
        let page = try await DraftOrders(database: visit.database).list(page: PageRequest(limit: 50))
        var query = ProductQuery()
        query.limit = 100
        let products = try await ProductCatalog(database: visit.database, currency: visit.settings.currency).list(query).data
        let variants = products.flatMap { product in
            product.variants.map { ($0.id, product.title + ($0.title == "Default" ? "" : " — " + $0.title)) }
        }
        let model = DraftsPage(
            drafts: page.data.map { ($0.id, $0.email, $0.status, $0.cart.total, $0.createdAt, $0.orderId) }, variants: variants, values: values,
            errors: errors)
        return try visit.page("admin/drafts", model, title: "Draft orders", section: "/admin/drafts", status: status)
    }

    /// The buttons that mail a link back to a cart: recovery for an abandoned checkout, and a
    /// draft's payment link.
    func registerLinks(on router: RouterGroup<StoreContext>) {
        router.post("/admin/drafts/abandoned/:cartId/recover") { request, context in
            let visit = try await routes.visit(request, context)
            guard let staff = visit.staff else { return visit.signIn() }
            let fields = try await visit.form()
            let cartID = try context.parameters.require("cartId")
            let sent = await visit.attempt {
                try await CartLinks(database: visit.database).sendRecovery(cartID: cartID, mail: routes.services.mailer.sender, actor: staff.actor)
            }
            // The hours only choose the page to go back to: unreadable ones go back to the default.
            let hours = (try? AbandonedCheckouts.hours(fields.text("hours"))) ?? AbandonedCheckouts.defaultHours
            switch sent {
            case .success: return routes.pages.redirect(to: "/admin/drafts/abandoned?hours=\(hours)&sent=1")
            case .failure(let problem):
                return try await abandoned(visit, hours: String(hours), cursor: nil, error: problem.detail ?? problem.title, status: problem.pageStatus)
            }
        }
        router.post("/admin/drafts/:draftId/send-link") { request, context in
            let visit = try await routes.visit(request, context)
            guard let staff = visit.staff else { return visit.signIn() }
            _ = try await visit.form()
            let id = try context.parameters.require("draftId")
            let sent = await visit.attempt {
                try await DraftOrders(database: visit.database).sendPaymentLink(id: id, mail: routes.services.mailer.sender, actor: staff.actor)
            }
            switch sent {
            case .success: return routes.pages.redirect(to: "/admin/drafts/\(id)?sent=1")
            case .failure(let problem): return try await draft(visit, id: id, error: problem.detail ?? problem.title, status: problem.pageStatus)
            }
        }
    }

    func abandoned(
        _ visit: AdminVisit, hours text: String?, cursor: String?, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        // A cursor or a number of hours that cannot be read starts from the defaults.
        let hours = (try? AbandonedCheckouts.hours(text)) ?? AbandonedCheckouts.defaultHours
        let page = try await AbandonedCheckouts(database: visit.database).list(
            olderThanHours: hours, page: (try? PageRequest(limit: "50", cursor: cursor)) ?? PageRequest(limit: 50))
        let model = AbandonedPage(
            carts: page.data, hours: hours,
            nextUrl: page.nextCursor.map { pageLink("/admin/drafts/abandoned", [("hours", String(hours)), ("cursor", $0)]) }, notice: notice, error: error)
        return try visit.page("admin/abandoned", model, title: "Abandoned checkouts", section: "/admin/drafts", status: status)
    }

    func draft(_ visit: AdminVisit, id: String, error: String?, notice: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let draft = try await DraftOrders(database: visit.database).find(id: id) else { throw Problem.notFound("There is no such draft order.") }
        let model = DraftPage(
            id: draft.id, email: draft.email, note: draft.note, cart: draft.cart, status: draft.status, orderId: draft.orderId,
            canMarkPaid: visit.staff?.can(.payments) ?? false, error: error, notice: notice)
        return try visit.page("admin/draft", model, title: "Draft order", section: "/admin/drafts", status: status)
    }
}
