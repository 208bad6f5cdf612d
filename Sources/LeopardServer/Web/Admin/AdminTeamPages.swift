import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardPayments
import LeopardWeb

/// The team page (the `staff` permission; API keys need `apps`): staff members with their roles,
/// and API keys with scopes, each change made through the same service as the staff, role and
/// API key routes (which refuse handing out more than the member holds).
struct AdminTeamPages {
    let routes: AdminRoutes

    func register(on router: RouterGroup<StoreContext>) {
        router.get("/admin/team") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            return try await team(visit, newSecret: nil, values: [:], errors: FieldMessages())
        }
        router.post("/admin/team/staff") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let fields = try await visit.form()
            let values = ["email": String((fields["email"] ?? "").prefix(254)), "roleId": String((fields["roleId"] ?? "").prefix(64))]
            let invitation = StaffInvitation(email: values["email"] ?? "", role: "staff", roleId: fields.text("roleId"), password: fields.text("password"))
            let invited = await visit.attempt {
                try await StaffAccounts(database: visit.database).invite(
                    invitation, by: try visit.requireStaff(), hasher: routes.pages.hasher, mail: routes.services.mailer.sender)
            }
            if case .failure(let problem) = invited { return try await team(visit, problem: problem, values: values) }
            return routes.pages.redirect(to: invitation.password == nil ? "/admin/team?done=invited" : "/admin/team?done=staff")
        }
        router.post("/admin/team/staff/:staffId/:change") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let fields = try await visit.form()
            let id = try context.parameters.require("staffId")
            let change = try context.parameters.require("change")
            guard Identifier.isWellFormed(id, prefix: "stf"), ["remove", "role"].contains(change) else {
                throw Problem.notFound("There is no such staff member.")
            }
            let changed = await visit.attempt {
                let accounts = StaffAccounts(database: visit.database)
                if change == "remove" {
                    try await accounts.remove(staffID: id, by: try visit.requireStaff())
                } else {
                    _ = try await accounts.assign(staffID: id, roleID: fields["roleId"] ?? "", by: try visit.requireStaff())
                }
            }
            if case .failure(let problem) = changed { return try await team(visit, problem: problem, values: [:]) }
            return routes.pages.redirect(to: change == "remove" ? "/admin/team?done=staff-removed" : "/admin/team?done=role-changed")
        }
        router.post("/admin/team/keys") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let fields = try await visit.form()
            let values = ["name": String((fields["name"] ?? "").prefix(200))]
            let scopes = StaffPermission.allCases.filter { fields["scope_\($0.rawValue)"] == "1" }.map(\.rawValue)
            let created = await visit.attempt {
                try await ApiKeys(database: visit.database).create(
                    named: values["name"] ?? "", scopes: scopes.isEmpty ? nil : scopes, by: try visit.requireStaff())
            }
            switch created {
            case .failure(let problem): return try await team(visit, problem: problem, values: values)
            // The secret is shown on this response only; it is never stored in clear.
            case .success(let key): return try await team(visit, newSecret: key.secret, values: [:], errors: FieldMessages(), status: .created)
            }
        }
        router.post("/admin/team/keys/:keyId/revoke") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            _ = try await visit.form()
            let id = try context.parameters.require("keyId")
            guard Identifier.isWellFormed(id, prefix: "key") else { throw Problem.notFound("There is no such API key.") }
            let revoked = await visit.attempt {
                guard try await ApiKeys(database: visit.database).revoke(id: id, actor: try visit.requireStaff().actor) else {
                    throw Problem.notFound("There is no live API key \(id).")
                }
            }
            if case .failure(let problem) = revoked { return try await team(visit, problem: problem, values: [:]) }
            return routes.pages.redirect(to: "/admin/team?done=key-revoked")
        }
        AdminRolePages(routes: routes).register(on: router)
    }

    func team(_ visit: AdminVisit, problem: Problem, values: [String: String]) async throws -> Response {
        try await team(visit, newSecret: nil, values: values, errors: FieldMessages(problem), status: problem.pageStatus)
    }

    func team(
        _ visit: AdminVisit, newSecret: String?, values: [String: String], errors: FieldMessages, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let staff = try visit.requireStaff()
        let members = staff.can(.staff) ? try await StaffAccounts(database: visit.database).list(page: PageRequest(limit: 100)).data : []
        let roles = try await StaffRoles(database: visit.database).list(page: PageRequest(limit: 100)).data
        let names = Dictionary(roles.map { ($0.id, $0.name) }) { first, _ in first }
        let keys = staff.can(.apps) ? try await ApiKeys(database: visit.database).list(page: PageRequest(limit: 100)).data : []
        let model = TeamPage(
            members: members.map {
                .init(
                    id: $0.id, email: $0.email, role: $0.role == "owner" ? "Owner" : names[$0.roleId ?? ""] ?? "No role", roleId: $0.roleId,
                    removable: $0.role != "owner", roles: roles)
            },
            keys: keys.map {
                .init(
                    id: $0.id, name: $0.name, created: String($0.createdAt.prefix(10)), lastUsed: $0.lastUsedAt.map { String($0.prefix(10)) },
                    scopes: $0.scopes.map(\.rawValue).joined(separator: ", "))
            },
            managesKeys: staff.can(.apps), managesStaff: staff.can(.staff), roles: roles, newSecret: newSecret, values: values, errors: errors)
        return try visit.page("admin/team", model, title: "Staff and API keys", section: "/admin/team", status: status)
    }
}
