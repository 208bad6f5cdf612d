import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardPlatform

/// Staff sign-in and the owner's management of staff and API keys.
struct StaffAuthRoutes {
    let services: LeopardServices

    struct Credentials: Decodable {
        let email: String
        let password: String
    }

    struct Setup: Decodable {
        let token: String
        let password: String
    }

    struct KeyRequest: Decodable {
        let name: String
        /// Permission names; omitted: what staff could do before scopes, within the caller's own.
        let scopes: [String]?
    }

    struct Me: Encodable {
        let id: String
        let email: String
        let role: String
        let via: String
        /// Whether the member followed a link mailed to this address.
        let emailVerified: Bool
        /// What the member's role (or the key's scopes) allow.
        let permissions: [StaffPermission]
    }

    func register(on routes: StoreRouter) {
        routes.anyone.post("/api/auth/login", use: login)
        routes.anyone.post("/api/auth/setup") { request, context in
            let (tenant, database) = (context.tenant, context.database)
            let input = try await request.decodeJSON(Setup.self, context: context)
            if let problem = PasswordHasher.problem(with: input.password) { throw Problem.invalid("password", problem) }
            let attempt = try await LoginThrottle(limiter: services.loginLimiter).begin("setup:\(tenant.id):\(context.clientAddress ?? "local")")
            let hash = try await services.passwordHasher.hash(input.password)
            guard
                let issued = try await StaffSessions(database: database, hasher: services.passwordHasher).completeSetup(token: input.token, passwordHash: hash)
            else {
                throw Problem.unauthorized("The setup link is not valid, was used already, or has expired.")
            }
            await attempt.succeeded()
            return try issued.jsonResponse()
        }
        routes.signedIn.post("/api/auth/logout") { _, context in
            let staff = context.staff
            guard case .session(let id) = staff.credential else { throw Problem.badRequest("API keys are revoked, not signed out.") }
            try await StaffSessions(database: context.database, hasher: services.passwordHasher).revoke(sessionID: id)
            return Response(status: .noContent)
        }
        routes.signedIn.get("/api/auth/me") { _, context in
            let staff = context.staff
            let via: String
            switch staff.credential {
            case .session: via = "session"
            case .apiKey: via = "api_key"
            }
            let verified = try await StaffEmailVerification(database: context.database).isVerified(staffID: staff.staffID)
            return try Me(
                id: staff.staffID, email: staff.email, role: staff.role.rawValue, via: via, emailVerified: verified, permissions: staff.permissions.sorted()
            )
            .jsonResponse()
        }

        routes.staff(.apps).post("/api/api-keys") { request, context in
            let input = try await request.decodeJSON(KeyRequest.self, context: context)
            return try await ApiKeys(database: context.database).create(named: input.name, scopes: input.scopes, by: context.staff).jsonResponse(
                status: .created)
        }
        routes.staff(.apps).get("/api/api-keys") { request, context in
            let query = request.queryDictionary
            return try await ApiKeys(database: context.database)
                .list(page: try PageRequest(limit: query["limit"], cursor: query["cursor"])).jsonResponse()
        }
        routes.staff(.apps).delete("/api/api-keys/:keyId") { _, context in
            let id = try context.parameters.require("keyId")
            guard try await ApiKeys(database: context.database).revoke(id: id, actor: context.staff.actor) else {
                throw Problem.notFound("There is no live API key \(id.prefix(64)).")
            }
            return Response(status: .noContent)
        }

        routes.staff(.staff).post("/api/staff") { request, context in
            let input = try await request.decodeJSON(StaffInvitation.self, context: context)
            return try await StaffAccounts(database: context.database).invite(
                input, by: context.staff, hasher: services.passwordHasher, mail: services.mailer.sender
            )
            .jsonResponse(status: .created)
        }
        routes.staff(.staff).get("/api/staff") { request, context in
            let query = request.queryDictionary
            return try await StaffAccounts(database: context.database)
                .list(page: try PageRequest(limit: query["limit"], cursor: query["cursor"])).jsonResponse()
        }
        routes.staff(.staff).delete("/api/staff/:staffId") { _, context in
            let id = try context.parameters.require("staffId")
            try await StaffAccounts(database: context.database).remove(staffID: id, by: context.staff)
            return Response(status: .noContent)
        }
    }

    @Sendable func login(_ request: Request, context: StoreContext) async throws -> Response {
        let (tenant, database) = (context.tenant, context.database)
        let input = try await request.decodeJSON(Credentials.self, context: context)
        let byAddress = "staff:\(tenant.id):\(context.clientAddress ?? "local")"
        let byEmail = "staff:\(tenant.id):\(input.email.lowercased().prefix(254))"
        let attempt = try await LoginThrottle(limiter: services.loginLimiter).begin(byAddress, byEmail)
        guard let issued = try await StaffSessions(database: database, hasher: services.passwordHasher).login(email: input.email, password: input.password)
        else {
            throw Problem.unauthorized("The e-mail address or password is wrong.")
        }
        await attempt.succeeded()
        return try issued.jsonResponse()
    }
}

/// Sign-in tries counted per client and per account, so that neither one address guessing
/// many accounts nor many addresses guessing one account gets far. Every try takes its count
/// before the password is checked, in the same step as the check of the limit (parallel wrong
/// passwords cannot all pass a check none of them has counted yet); a right one gives it back.
struct LoginThrottle {
    let limiter: RateLimiter

    /// A try that has been counted; `succeeded()` gives it back.
    struct Attempt {
        let limiter: RateLimiter
        let reservation: RateLimiter.Reservation

        /// The password was right: the try does not count against the limit. A platform
        /// database that cannot take it back leaves one try counted, which only shortens the
        /// limit for the next fifteen minutes, so the sign-in still succeeds.
        func succeeded() async {
            try? await limiter.release(reservation)
        }
    }

    /// Counts a try against every key, or refuses it (429) when one of them is at its limit.
    func begin(_ keys: String...) async throws -> Attempt {
        let reservation = try await limiter.reserve(keys)
        if let wait = reservation.retryAfter {
            throw Problem.tooManyRequests(retryAfterSeconds: wait, detail: "Too many failed sign-ins; try again in \(wait) seconds.")
        }
        return Attempt(limiter: limiter, reservation: reservation)
    }
}
