import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// Customers in the admin (the `customers` permission): the list, and each customer's page
/// with orders, addresses, tags and notes, through the same `CustomerRecords` as the API.
struct AdminCustomerPages {
    let routes: AdminRoutes

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/admin/customers") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let parameters = request.queryDictionary
            let q = parameters["q"].map { String($0.prefix(200)) }
            // A cursor that cannot be read starts from the first page.
            let page = try await Customers(database: visit.database, hasher: routes.pages.hasher)
                .list(search: q?.nilIfEmpty, page: (try? PageRequest(limit: "50", cursor: parameters["cursor"])) ?? PageRequest(limit: 50))
            let model = ListPage(
                rows: page.data.map(CustomerRow.init), query: q ?? "",
                nextUrl: page.nextCursor.map { pageLink("/admin/customers", [("q", q), ("cursor", $0)]) },
                firstUrl: parameters["cursor"] != nil ? pageLink("/admin/customers", [("q", q)]) : nil)
            return try visit.page("admin/customers", model, title: "Customers", section: "/admin/customers")
        }
        router.get("/admin/customers/:customerId") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            return try await customer(visit, id: try context.parameters.require("customerId"))
        }
        router.post("/admin/customers/:customerId/tags") { request, context in
            let visit = try await routes.visit(request, context)
            guard let staff = visit.staff else { return visit.signIn() }
            let id = try context.parameters.require("customerId")
            let typed = String((try await visit.form()["tags"] ?? "").prefix(2000))
            let tags = typed.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
            let saved = await visit.attempt { try await CustomerRecords(database: visit.database).setTags(id: id, .init(tags: tags), actor: staff.actor) }
            if case .failure(let problem) = saved {
                let errors = FieldMessages(form: problem) { String($0.split(separator: ".").first ?? Substring($0)) }
                return try await customer(visit, id: id, values: ["tags": typed], errors: errors, status: problem.pageStatus)
            }
            return routes.pages.redirect(to: "/admin/customers/\(id)?done=customer-tags")
        }
        router.post("/admin/customers/:customerId/notes") { request, context in
            let visit = try await routes.visit(request, context)
            guard let staff = visit.staff else { return visit.signIn() }
            let id = try context.parameters.require("customerId")
            let text = String((try await visit.form()["text"] ?? "").prefix(4000))
            let added = await visit.attempt { try await CustomerRecords(database: visit.database).addNote(id: id, text: text, actor: staff.actor) }
            if case .failure(let problem) = added {
                return try await customer(visit, id: id, values: ["text": text], errors: FieldMessages(form: problem), status: problem.pageStatus)
            }
            return routes.pages.redirect(to: "/admin/customers/\(id)?done=customer-note")
        }
    }

    func customer(
        _ visit: AdminVisit, id: String, values: [String: String] = [:], errors: FieldMessages = FieldMessages(), status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let withOrders = visit.staff?.can(.orders) ?? false
        guard let record = try await CustomerRecords(database: visit.database).record(id: id, withOrders: withOrders) else {
            throw Problem.notFound("There is no such customer.")
        }
        return try visit.page(
            "admin/customer", CustomerPage(record, values: values, errors: errors), title: record.email, section: "/admin/customers", status: status)
    }
}
