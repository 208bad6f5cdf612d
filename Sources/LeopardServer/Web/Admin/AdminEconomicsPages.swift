import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// The admin's discounts, and its shipping zones and tax rates: each form goes through the same
/// service as the API (`Discounts`, `ShippingZones`, `TaxRates`, the settings), and a refused
/// form comes back with the fields marked.
struct AdminEconomicsPages {
    let routes: AdminRoutes

    func register(on router: RouterGroup<StoreContext>) {
        registerDiscounts(on: router)
        registerShipping(on: router)
    }

    func registerDiscounts(on router: RouterGroup<StoreContext>) {
        router.get("/admin/discounts") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            return try await discounts(visit, cursor: request.queryDictionary["cursor"], values: [:], errors: FieldMessages())
        }
        router.post("/admin/discounts") { request, context in
            try await change(request, context, done: "/admin/discounts?done=discount") { visit, fields in
                let (values, body, problems) = EconomicsForms.discount(fields, currency: visit.settings.currency)
                return (
                    values, problems,
                    {
                        _ = try await Discounts(database: visit.database).create(
                            try body.decoded(as: DiscountInput.self), actor: try visit.requireStaff().actor)
                    }
                )
            } page: { visit, values, errors, status in
                try await discounts(visit, cursor: nil, values: values, errors: errors, status: status)
            }
        }
        router.get("/admin/discounts/:discountId") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            return try await discount(visit, id: try context.parameters.require("discountId"), values: nil, errors: FieldMessages())
        }
        router.post("/admin/discounts/:discountId") { request, context in
            let id = try context.parameters.require("discountId")
            return try await change(request, context, done: "/admin/discounts?done=discount-saved") { visit, fields in
                let (values, body, problems) = EconomicsForms.discount(fields, currency: visit.settings.currency)
                return (
                    values, problems,
                    {
                        _ = try await Discounts(database: visit.database).update(
                            id: id, try body.decoded(as: DiscountInput.self), actor: try visit.requireStaff().actor)
                    }
                )
            } page: { visit, values, errors, status in
                try await discount(visit, id: id, values: values, errors: errors, status: status)
            }
        }
        router.post("/admin/discounts/:discountId/delete") { request, context in
            try await remove(request, context, done: "/admin/discounts?done=discount-removed") { visit, id in
                try await Discounts(database: visit.database).delete(id: id, actor: try visit.requireStaff().actor)
            }
        }
    }

    func registerShipping(on router: RouterGroup<StoreContext>) {
        router.get("/admin/shipping") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            return try await shipping(visit, values: [:], errors: FieldMessages())
        }
        router.post("/admin/shipping/zones") { request, context in
            try await change(request, context, done: "/admin/shipping?done=zone") { visit, fields in
                let (values, body, problems) = EconomicsForms.zone(fields, currency: visit.settings.currency)
                return (
                    values, problems,
                    {
                        _ = try await ShippingZones(database: visit.database).create(
                            try body.decoded(as: ShippingZoneInput.self), actor: try visit.requireStaff().actor)
                    }
                )
            } page: { visit, values, errors, status in
                try await shipping(visit, values: values, errors: errors, status: status)
            }
        }
        router.get("/admin/shipping/zones/:id") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            return try await zone(visit, id: try context.parameters.require("id"), values: nil, errors: FieldMessages())
        }
        router.post("/admin/shipping/zones/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await change(request, context, done: "/admin/shipping?done=zone-saved") { visit, fields in
                let (values, body, problems) = EconomicsForms.zone(fields, currency: visit.settings.currency)
                return (
                    values, problems,
                    {
                        _ = try await ShippingZones(database: visit.database).replace(
                            id: id, try body.decoded(as: ShippingZoneInput.self), actor: try visit.requireStaff().actor)
                    }
                )
            } page: { visit, values, errors, status in
                try await zone(visit, id: id, values: values, errors: errors, status: status)
            }
        }
        router.post("/admin/shipping/rates") { request, context in
            try await change(request, context, done: "/admin/shipping?done=rate#tax") { visit, fields in
                let (values, body, problems) = EconomicsForms.rate(fields)
                return (
                    values, problems,
                    {
                        _ = try await TaxRates(database: visit.database).create(
                            try body.decoded(as: TaxRates.Input.self), actor: try visit.requireStaff().actor)
                    }
                )
            } page: { visit, values, errors, status in
                try await shipping(visit, values: values, errors: errors, status: status)
            }
        }
        router.post("/admin/shipping/prices-include-tax") { request, context in
            try await change(request, context, done: "/admin/shipping?done=settings#tax") { visit, fields in
                let body: JSONValue = .object([("pricesIncludeTax", .bool(fields["pricesIncludeTax"] != nil))])
                return (
                    [:], [],
                    {
                        _ = try await StoreSettings.update(
                            with: try body.decoded(as: StoreSettingsInput.self), database: visit.database, actor: try visit.requireStaff().actor)
                    }
                )
            } page: { visit, values, errors, status in
                try await shipping(visit, values: values, errors: errors, status: status)
            }
        }
        router.post("/admin/shipping/zones/:id/delete") { request, context in
            try await remove(request, context, done: "/admin/shipping?done=zone-removed") { visit, id in
                try await ShippingZones(database: visit.database).delete(id: id, actor: try visit.requireStaff().actor)
            }
        }
        router.post("/admin/shipping/rates/:id/delete") { request, context in
            try await remove(request, context, done: "/admin/shipping?done=rate-removed#tax") { visit, id in
                try await TaxRates(database: visit.database).delete(id: id, actor: try visit.requireStaff().actor)
            }
        }
    }

    typealias Prepared = (values: [String: String], problems: [(field: String, message: String)], save: () async throws -> Void)

    /// A form post: read, saved through the service, or shown again with its errors.
    private func change(
        _ request: Request, _ context: StoreContext, done: String, _ read: (AdminVisit, FormFields) async throws -> Prepared,
        page: (AdminVisit, [String: String], FieldMessages, HTTPResponse.Status) async throws -> Response
    ) async throws -> Response {
        let visit = try await routes.visit(request, context)
        guard visit.staff != nil else { return visit.signIn() }
        let (values, problems, save) = try await read(visit, try await visit.form())
        guard problems.isEmpty else {
            return try await page(visit, values, FieldMessages(problems, general: "Check the fields marked below."), .unprocessableContent)
        }
        if case .failure(let problem) = await visit.attempt(save) {
            let errors = FieldMessages(form: problem) { String($0.split(separator: ".").first ?? Substring($0)) }
            return try await page(visit, values, errors, problem.pageStatus)
        }
        return routes.pages.redirect(to: done)
    }

    private func remove(
        _ request: Request, _ context: StoreContext, done: String, _ delete: (AdminVisit, String) async throws -> Bool
    ) async throws -> Response {
        let visit = try await routes.visit(request, context)
        guard visit.staff != nil else { return visit.signIn() }
        _ = try await visit.form()
        let id = try context.parameters.require(context.parameters.get("discountId") != nil ? "discountId" : "id")
        guard id.utf8.count <= 64, try await delete(visit, id) else { throw Problem.notFound("There is nothing with the id \(id.prefix(64)).") }
        return routes.pages.redirect(to: done)
    }

    func discounts(
        _ visit: AdminVisit, cursor: String?, values: [String: String], errors: FieldMessages, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let page = try await Discounts(database: visit.database).list(page: try PageRequest(limit: "50", cursor: cursor))
        let form = try await discountForm(visit, action: "/admin/discounts", button: "Add discount", editing: false, values: values, errors: errors)
        let model = DiscountsPage(page: page, currency: visit.settings.currency, form: form)
        return try visit.page("admin/discounts", model, title: "Discounts", section: "/admin/discounts", status: status)
    }

    /// One discount's page; `values` are a refused form's, or nil for the discount as it is.
    func discount(
        _ visit: AdminVisit, id: String, values: [String: String]?, errors: FieldMessages, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard id.utf8.count <= 64, let discount = try await Discounts(database: visit.database).find(id: id) else {
            throw Problem.notFound("There is no such discount.")
        }
        var shown = values
        if shown == nil {
            let customers = Customers(database: visit.database, hasher: routes.pages.hasher)
            var emails: [String] = []
            for customerID in discount.customerIds { if let customer = try await customers.find(id: customerID) { emails.append(customer.email) } }
            shown = DiscountForm.values(of: discount, currency: visit.settings.currency, emails: emails)
        }
        let form = try await discountForm(
            visit, action: "/admin/discounts/\(discount.id)", button: "Save discount", editing: true, values: shown ?? [:], errors: errors)
        return try visit.page(
            "admin/discount", DiscountPage(discount: discount, form: form), title: "Discount", section: "/admin/discounts", status: status)
    }

    /// The discount form with the store's products and categories to choose from: the first
    /// hundred of each, and every one the form names, so saving never drops one unseen.
    func discountForm(
        _ visit: AdminVisit, action: String, button: String, editing: Bool, values: [String: String], errors: FieldMessages
    ) async throws -> DiscountForm {
        var query = ProductQuery()
        query.limit = 100
        let catalog = ProductCatalog(database: visit.database, currency: visit.settings.currency)
        var products = try await catalog.list(query).data.map { ($0.id, $0.title) }
        for id in (values["productIds"] ?? "").split(separator: ",").map(String.init).prefix(100) where !products.contains(where: { $0.0 == id }) {
            if let product = try await catalog.find(id, includeHidden: true) { products.append((product.id, product.title)) }
        }
        let store = Categories(database: visit.database)
        var categories = try await store.all().map { ($0.id, $0.name) }
        for id in (values["categoryIds"] ?? "").split(separator: ",").map(String.init).prefix(100) where !categories.contains(where: { $0.0 == id }) {
            if let category = try await store.find(id) { categories.append((category.id, category.name)) }
        }
        return DiscountForm(action: action, button: button, editing: editing, values: values, errors: errors, products: products, categories: categories)
    }

    /// One zone's page; `values` are a refused form's, or nil for the zone as it is.
    func zone(
        _ visit: AdminVisit, id: String, values: [String: String]?, errors: FieldMessages, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard id.utf8.count <= 64, let zone = try await ShippingZones(database: visit.database).find(id: id) else {
            throw Problem.notFound("There is no such shipping zone.")
        }
        let shown = values ?? ZoneForm.values(of: zone, currency: visit.settings.currency)
        let form = ZoneForm(action: "/admin/shipping/zones/\(zone.id)", button: "Save zone", values: shown, errors: errors)
        return try visit.page(
            "admin/zone", ZonePage(id: zone.id, name: zone.name, form: form, general: errors.general), title: "Shipping zone", section: "/admin/shipping",
            status: status)
    }

    func shipping(_ visit: AdminVisit, values: [String: String], errors: FieldMessages, status: HTTPResponse.Status = .ok) async throws -> Response {
        let zones = try await ShippingZones(database: visit.database).list(page: PageRequest(limit: 100)).data
        let rates = try await TaxRates(database: visit.database).list(page: PageRequest(limit: 100)).data
        let model = ShippingTaxPage(zones: zones, rates: rates, pricesIncludeTax: visit.settings.pricesIncludeTax, values: values, errors: errors)
        return try visit.page("admin/shipping", model, title: "Shipping and tax", section: "/admin/shipping", status: status)
    }
}
