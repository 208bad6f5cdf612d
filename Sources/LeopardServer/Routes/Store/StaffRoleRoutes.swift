import Hummingbird
import LeopardCommerce
import LeopardCore

/// Staff roles (the owner manages them), giving a member a role, and the audit log.
struct StaffRoleRoutes {
    struct Assignment: Decodable {
        let roleId: String
    }

    func register(on routes: StoreRouter) {
        routes.staff(.staff).get("/api/roles") { request, context in
            let query = request.queryDictionary
            return try await StaffRoles(database: context.database).list(page: try PageRequest(limit: query["limit"], cursor: query["cursor"])).jsonResponse()
        }
        routes.staff(.staff).get("/api/roles/:roleId") { _, context in
            let id = try context.parameters.require("roleId")
            guard let role = try await StaffRoles(database: context.database).find(id: id) else { throw Problem.notFound("There is no role \(id.prefix(64)).") }
            return try role.jsonResponse()
        }
        routes.owner.post("/api/roles") { request, context in
            let input = try await request.decodeJSON(StaffRoleInput.self, context: context)
            return try await StaffRoles(database: context.database).create(input, actor: context.owner.actor).jsonResponse(status: .created)
        }
        routes.owner.patch("/api/roles/:roleId") { request, context in
            let input = try await request.decodeJSON(StaffRoleInput.self, context: context)
            let id = try context.parameters.require("roleId")
            return try await StaffRoles(database: context.database).update(id: id, input, actor: context.owner.actor).jsonResponse()
        }
        routes.owner.delete("/api/roles/:roleId") { _, context in
            try await StaffRoles(database: context.database).delete(id: try context.parameters.require("roleId"), actor: context.owner.actor)
            return Response(status: .noContent)
        }
        routes.staff(.staff).patch("/api/staff/:staffId") { request, context in
            let input = try await request.decodeJSON(Assignment.self, context: context)
            let id = try context.parameters.require("staffId")
            return try await StaffAccounts(database: context.database).assign(staffID: id, roleID: input.roleId, by: context.staff).jsonResponse()
        }
        routes.staff(.staff).get("/api/audit-log") { request, context in
            let query = request.queryDictionary
            let action = query["action"].map { String($0.prefix(64)) }
            return try await AuditLog(database: context.database)
                .list(action: action, page: try PageRequest(limit: query["limit"], cursor: query["cursor"])).jsonResponse()
        }
    }
}
