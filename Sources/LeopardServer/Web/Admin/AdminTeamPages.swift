import Foundation
import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardPayments
import LeopardWeb

/// The team page (owner only): staff members and API keys, each change made through the same
/// service as the staff and API key routes.
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
            let values = ["email": String((fields["email"] ?? "").prefix(254))]
            let invitation = StaffInvitation(email: values["email"] ?? "", role: "staff", password: fields.text("password"))
            let invited = await visit.attempt {
                _ = try visit.requireOwner()
                return try await StaffAccounts(database: visit.database).invite(invitation, hasher: routes.pages.hasher, mail: routes.services.mailer.sender)
            }
            if case .failure(let problem) = invited { return try await team(visit, problem: problem, values: values) }
            return routes.pages.redirect(to: invitation.password == nil ? "/admin/team?done=invited" : "/admin/team?done=staff")
        }
        router.post("/admin/team/staff/:staffId/remove") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            _ = try await visit.form()
            let id = try context.parameters.require("staffId")
            guard Identifier.isWellFormed(id, prefix: "stf") else { throw Problem.notFound("There is no such staff member.") }
            let removed = await visit.attempt {
                _ = try visit.requireOwner()
                guard try await StaffAccounts(database: visit.database).remove(id: id) else {
                    throw Problem.notFound("There is no staff member \(id) who can be removed.")
                }
            }
            if case .failure(let problem) = removed { return try await team(visit, problem: problem, values: [:]) }
            return routes.pages.redirect(to: "/admin/team?done=staff-removed")
        }
        router.post("/admin/team/keys") { request, context in
            let visit = try await routes.visit(request, context)
            guard visit.staff != nil else { return visit.signIn() }
            let fields = try await visit.form()
            let values = ["name": String((fields["name"] ?? "").prefix(200))]
            let created = await visit.attempt {
                try await ApiKeys(database: visit.database).create(named: values["name"] ?? "", createdBy: try visit.requireOwner().actor)
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
                _ = try visit.requireOwner()
                guard try await ApiKeys(database: visit.database).revoke(id: id) else { throw Problem.notFound("There is no live API key \(id).") }
            }
            if case .failure(let problem) = revoked { return try await team(visit, problem: problem, values: [:]) }
            return routes.pages.redirect(to: "/admin/team?done=key-revoked")
        }
    }

    func team(_ visit: AdminVisit, problem: Problem, values: [String: String]) async throws -> Response {
        try await team(visit, newSecret: nil, values: values, errors: FieldMessages(problem), status: problem.pageStatus)
    }

    func team(
        _ visit: AdminVisit, newSecret: String?, values: [String: String], errors: FieldMessages, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard visit.staff?.isOwner ?? false else { throw Problem.forbidden("Only the store's owner manages staff and API keys.") }
        let members = try await StaffAccounts(database: visit.database).list(page: PageRequest(limit: 100)).data
        let keys = try await ApiKeys(database: visit.database).list(page: PageRequest(limit: 100)).data
        let model = TeamPage(
            members: members.map { .init(id: $0.id, email: $0.email, role: $0.role, removable: $0.role != "owner") },
            keys: keys.map { .init(id: $0.id, name: $0.name, created: String($0.createdAt.prefix(10)), lastUsed: $0.lastUsedAt.map { String($0.prefix(10)) }) },
            newSecret: newSecret, values: values, errors: errors)
        return try visit.page("admin/team", model, title: "Staff and API keys", section: "/admin/team", status: status)
    }
}
