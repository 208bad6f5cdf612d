import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// Categories in the admin (the `products` permission), through the same `Categories` as
/// `/api/categories`: the tree, a form to add one, each one's page to change it, delete.
struct AdminCategoryPages {
    let routes: AdminRoutes

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/admin/categories") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            return try await page(visit, editing: nil, values: ["position": "0"], errors: FieldMessages())
        }
        router.post("/admin/categories") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let (values, input) = Self.read(try await visit.form())
            switch await visit.attempt({ try await Categories(database: visit.database).create(input) }) {
            case .success: return routes.pages.redirect(to: "/admin/categories?done=category")
            case .failure(let problem):
                return try await page(visit, editing: nil, values: values, errors: FieldMessages(form: problem), status: problem.pageStatus)
            }
        }
        router.get("/admin/categories/:categoryId") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let category = try await find(visit, context)
            return try await page(visit, editing: category, values: CategoriesPage.values(of: category), errors: FieldMessages())
        }
        router.post("/admin/categories/:categoryId") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let category = try await find(visit, context)
            let (values, input) = Self.read(try await visit.form())
            switch await visit.attempt({ try await Categories(database: visit.database).update(id: category.id, with: input, replacing: true) }) {
            case .success: return routes.pages.redirect(to: "/admin/categories?done=category-saved")
            case .failure(let problem):
                return try await page(visit, editing: category, values: values, errors: FieldMessages(form: problem), status: problem.pageStatus)
            }
        }
        router.post("/admin/categories/:categoryId/delete") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            _ = try await visit.form()
            let category = try await find(visit, context)
            _ = try await Categories(database: visit.database).delete(id: category.id)
            return routes.pages.redirect(to: "/admin/categories?done=category-removed")
        }
    }

    /// The form as the API's input: every field, so saving replaces the category.
    static func read(_ fields: FormFields) -> ([String: String], CategoryInput) {
        var values: [String: String] = [:]
        for name in ["name", "slug", "description", "position", "parentId"] {
            values[name] = String((fields[name] ?? "").prefix(name == "description" ? 65_536 : 300))
        }
        let slug = values["slug"]?.trimmingWhitespace() ?? ""
        let parent = values["parentId"] ?? ""
        let input = CategoryInput(
            name: values["name"] ?? "", slug: slug.isEmpty ? nil : slug, description: values["description"] ?? "",
            // An unreadable position is out of range, so the field says so.
            position: Int((values["position"] ?? "").trimmingWhitespace().isEmpty ? "0" : values["position"] ?? "") ?? -1,
            parentId: parent.isEmpty ? .null : .value(parent))
        return (values, input)
    }

    func find(_ visit: AdminVisit, _ context: StoreContext) async throws -> Category {
        let id = try context.parameters.require("categoryId")
        guard id.utf8.count <= 64, let category = try await Categories(database: visit.database).find(id) else {
            throw Problem.notFound("There is no such category.")
        }
        return category
    }

    func page(
        _ visit: AdminVisit, editing: Category?, values: [String: String], errors: FieldMessages, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let categories = try await Categories(database: visit.database).all()
        let model = CategoriesPage(categories: categories, editing: editing, values: values, errors: errors)
        return try visit.page("admin/categories", model, title: editing?.name ?? "Categories", section: "/admin/categories", status: status)
    }
}
