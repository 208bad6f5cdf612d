import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// Roles (the owner adds and deletes them; members with the `staff` permission read them) and
/// the audit log, through the same services as `/api/roles` and `/api/audit-log`.
struct AdminRolePages {
    let routes: AdminRoutes

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/admin/roles") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            return try await roles(visit, checked: [], values: [:], errors: FieldMessages())
        }
        router.post("/admin/roles") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let fields = try await visit.form()
            let values = ["name": String((fields["name"] ?? "").prefix(200))]
            let chosen = StaffPermission.allCases.filter { fields["permission_\($0.rawValue)"] == "1" }.map(\.rawValue)
            let created = await visit.attempt {
                try await StaffRoles(database: visit.database).create(
                    StaffRoleInput(name: values["name"], permissions: chosen), actor: try visit.requireOwner().actor)
            }
            if case .failure(let problem) = created {
                return try await roles(visit, checked: Set(chosen), values: values, errors: FieldMessages(problem), status: problem.pageStatus)
            }
            return routes.pages.redirect(to: "/admin/roles?done=role")
        }
        router.post("/admin/roles/:roleId/delete") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            _ = try await visit.form()
            let id = try context.parameters.require("roleId")
            let deleted = await visit.attempt {
                try await StaffRoles(database: visit.database).delete(id: id, actor: try visit.requireOwner().actor)
            }
            if case .failure(let problem) = deleted {
                return try await roles(visit, checked: [], values: [:], errors: FieldMessages(problem), status: problem.pageStatus)
            }
            return routes.pages.redirect(to: "/admin/roles?done=role-removed")
        }
        router.get("/admin/audit") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let cursor = request.queryDictionary["cursor"]
            // A cursor that cannot be read starts from the newest entry.
            let page = try await AuditLog(database: visit.database).list(
                page: (try? PageRequest(limit: "50", cursor: cursor)) ?? PageRequest(limit: 50))
            let model = AuditPage(
                entries: page.data, nextUrl: page.nextCursor.map { pageLink("/admin/audit", [("cursor", $0)]) },
                firstUrl: cursor != nil ? "/admin/audit" : nil)
            return try visit.page("admin/audit", model, title: "Audit log", section: "/admin/audit")
        }
    }

    func roles(
        _ visit: AdminVisit, checked: Set<String>, values: [String: String], errors: FieldMessages, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let staff = try visit.requireStaff()
        let all = try await StaffRoles(database: visit.database).list(page: PageRequest(limit: 100)).data
        let model = RolesPage(roles: all, isOwner: staff.isOwner, checked: checked, values: values, errors: errors)
        return try visit.page("admin/roles", model, title: "Roles", section: "/admin/team", status: status)
    }
}
