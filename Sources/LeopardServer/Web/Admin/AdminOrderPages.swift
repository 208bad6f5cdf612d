import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardOperations
import LeopardPayments
import LeopardWeb

/// Orders in the admin: list by status or e-mail, the detail with its timeline and payments, and
/// the actions (fulfil, cancel, full refund, mark paid), each through the orders API.
struct AdminOrderPages {
    let routes: AdminRoutes

    static let actions: [String: (path: String, done: String)] = [
        "fulfil": ("fulfill", "fulfilled"), "cancel": ("cancel", "cancelled"), "refund": ("refunds", "refunded"), "mark-paid": ("mark-paid", "paid"),
        "fulfillments": ("fulfillments", "shipped"), "returns": ("returns", "returned"), "refund-return": ("refund-return", "refunded"),
        "note": ("note", "note"),
    ]

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/admin/orders", use: list)
        router.get("/admin/orders/export") { request, context in
            let visit = try await routes.visit(request, context)
            guard let staff = visit.staff else { return visit.signIn() }
            try staff.require(anyOf: [.orders])
            let query = request.queryDictionary
            let (start, end) = try OrderExport.range(from: query["from"], to: query["to"])
            let csv = try await OrderExport(database: visit.database).csv(from: start, to: end)
            var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: csv)))
            response.headers[.contentType] = "text/csv; charset=utf-8"
            response.headers[.contentDisposition] = "attachment; filename=\"orders.csv\""
            return response
        }
        router.get("/admin/orders/:orderId") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            return try await detail(visit, order: try await find(visit, context), error: nil)
        }
        // The same parameter names as the actions' route: Hummingbird keeps one trie node for both.
        router.get("/admin/orders/:orderId/:action") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let document = try context.parameters.require("action")
            if document == "edit", let staff = visit.staff {
                try staff.require(anyOf: [.orders])
                return try await AdminOrderEditPages(routes: routes).page(visit, order: try await find(visit, context))
            }
            guard ["invoice", "packing-slip"].contains(document) else { throw Problem.notFound("There is no such page.") }
            let model = PrintedOrderPage(
                order: try await find(visit, context), invoice: document == "invoice", storeName: visit.settings.name,
                storeEmail: visit.settings.contactEmail)
            return routes.pages.html(try routes.pages.renderer.renderBare("admin/printed-order", model: model), request: request, cookies: visit.baseCookies)
        }
        router.post("/admin/orders/:orderId/:action") { request, context in
            let visit = try await routes.visit(request, context)
            guard let staff = visit.staff else { return visit.signIn() }
            let fields = try await visit.form()
            let order = try await find(visit, context)
            let name = try context.parameters.require("action")
            try staff.require(anyOf: AdminPermissions.orderActions[name] ?? [.orders])
            if name == "edit" { return try await AdminOrderEditPages(routes: routes).post(visit, order: order, fields: fields, actor: staff.actor) }
            guard let action = Self.actions[name] else { throw Problem.notFound("There is no such action.") }
            // A partial refund names its amount in the store's currency; empty is all that is left.
            var refund = OrderRefunds.Input(amount: nil, restock: fields["restock"] == "1")
            if action.path == "refunds", let text = fields.text("amount") {
                guard let minor = MoneyText.parse(String(text.prefix(32)), currency: order.currency), minor > 0 else {
                    return try await detail(visit, order: order, error: "Enter the amount to refund, like 12.50.", status: .unprocessableContent)
                }
                refund.amount = minor
            }
            if case .failure(let problem) = await visit.attempt({
                try await perform(action.path, order: order, fields: fields, refund: refund, actor: staff.actor, visit: visit)
            }) {
                let message = ([problem.detail ?? problem.title] + problem.errors.map { "\($0.field) \($0.message)" }).joined(separator: " ")
                return try await detail(visit, order: order, error: message, status: problem.pageStatus)
            }
            return routes.pages.redirect(to: "/admin/orders/\(order.id)?done=\(action.done)")
        }
    }

    /// One action on an order, through the same services as the orders API.
    func perform(_ action: String, order: Order, fields: FormFields, refund: OrderRefunds.Input, actor: String, visit: AdminVisit) async throws {
        let providers = routes.services.paymentProviders
        switch action {
        case "fulfill": _ = try await OrderFulfilment(providers: providers).fulfil(orderID: order.id, actor: actor, database: visit.database)
        case "fulfillments":
            let input = FulfillmentInput(
                lines: try Self.quantities(fields, order: order), carrier: fields.text("carrier"), trackingNumber: fields.text("trackingNumber"),
                trackingUrl: fields.text("trackingUrl"))
            _ = try await OrderFulfilment(providers: providers).fulfil(orderID: order.id, input, actor: actor, database: visit.database)
        case "returns":
            let input = ReturnInput(lines: try Self.quantities(fields, order: order), restock: fields["restock"] == "1", reason: fields.text("reason"))
            _ = try await OrderReturns(database: visit.database).create(orderID: order.id, input, actor: actor)
        case "note": _ = try await Orders(database: visit.database).addNote(orderID: order.id, text: fields["text"] ?? "", actor: actor)
        case "refund-return":
            _ = try await OrderRefunds(providers: providers).refund(
                orderID: order.id, input: .init(returnId: fields.text("returnId")), actor: actor, database: visit.database, logger: visit.context.logger)
        case "cancel":
            _ = try await OrderCancellation(providers: providers, logger: visit.context.logger).cancel(
                orderID: order.id, reason: nil, actor: actor, database: visit.database)
        case "refunds":
            _ = try await OrderRefunds(providers: providers).refund(
                orderID: order.id, input: refund, actor: actor, database: visit.database, logger: visit.context.logger)
        default: try await Payments(database: visit.database).markPaidManually(orderID: order.id, actor: actor)
        }
    }

    /// The `qty_<line id>` fields of a ship or return form: the lines with a quantity above 0.
    static func quantities(_ fields: FormFields, order: Order) throws -> [Fulfillment.Line] {
        var lines: [Fulfillment.Line] = []
        for line in order.lines {
            guard let text = fields.text("qty_\(line.id)"), text != "0" else { continue }
            guard let quantity = Int(text.prefix(9)), quantity > 0 else { throw Problem.invalid("quantity", "must be a whole number for \(line.title)") }
            lines.append(.init(lineId: line.id, quantity: quantity))
        }
        guard !lines.isEmpty else { throw Problem.invalid("lines", "choose at least one item") }
        return lines
    }

    func find(_ visit: AdminVisit, _ context: StoreContext) async throws -> Order {
        let id = try context.parameters.require("orderId")
        guard Identifier.isWellFormed(id, prefix: "ord"), let order = try await Orders(database: visit.database).find(id: id) else {
            throw Problem.notFound("There is no such order.")
        }
        return order
    }

    func detail(_ visit: AdminVisit, order: Order, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let payments = try await Payments(database: visit.database).forOrder(order.id)
        let model = OrderDetailPage(
            order: order, payments: payments.map { ($0.provider, $0.status.rawValue, $0.amount, $0.cardBrand, $0.cardLast4) }, error: error,
            allows: { [staff = visit.staff] action in
                guard let staff else { return false }
                return (AdminPermissions.orderActions[action] ?? [.orders]).contains(where: staff.can)
            })
        return try visit.page("admin/order", model, title: "Order #\(order.number)", section: "/admin/orders", status: status)
    }

    @Sendable func list(_ request: Request, context: StoreContext) async throws -> Response {
        let visit = try await routes.visit(request, context)
        guard visit.staff != nil else { return visit.signIn() }
        let parameters = request.queryDictionary
        let status = parameters["status"].flatMap(OrderStatus.init(rawValue:))
        let email = parameters["email"].map { String($0.prefix(254)) }?.nilIfEmpty
        let page = try await Orders(database: visit.database).list(
            .init(status: status, email: email.flatMap { EmailAddress($0)?.value }),
            page: (try? PageRequest(limit: "50", cursor: parameters["cursor"])) ?? PageRequest(limit: 50))
        let filters =
            [ListPage<OrderRow>.Filter(label: "All", url: pageLink("/admin/orders", [("email", email)]), current: status == nil)]
            + OrderStatus.allCases.map {
                .init(
                    label: $0.rawValue.replacingOccurrences(of: "_", with: " ").capitalized,
                    url: pageLink("/admin/orders", [("email", email), ("status", $0.rawValue)]), current: status == $0)
            }
        let model = ListPage(
            rows: page.data.map(OrderRow.init), query: email ?? "",
            nextUrl: page.nextCursor.map { pageLink("/admin/orders", [("email", email), ("status", status?.rawValue), ("cursor", $0)]) },
            firstUrl: parameters["cursor"] != nil ? pageLink("/admin/orders", [("email", email), ("status", status?.rawValue)]) : nil, filters: filters)
        return try visit.page("admin/orders", model, title: "Orders", section: "/admin/orders")
    }
}
