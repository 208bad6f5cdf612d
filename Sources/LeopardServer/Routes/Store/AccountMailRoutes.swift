import Hummingbird
import LeopardCommerce
import LeopardCore
import LeopardMail

/// What needs a mailbox: shoppers' registration and verification, password resets for shoppers
/// and staff, the customer's own profile, and the owner's view of the store's mail. Requests
/// that send mail answer the same whether or not the address is known, and are limited per
/// client and per address.
struct AccountMailRoutes {
    let services: LeopardServices

    struct EmailBody: Decodable { let email: String }
    /// A link's token and the new password: the body of `/api/auth/setup` too.
    typealias ResetBody = StaffAuthRoutes.Setup
    /// A verification link's token, and the password chosen when registering when the caller
    /// is a person following the link rather than the app that registered.
    struct VerifyBody: Decodable {
        let token: String
        let password: String?
    }
    struct PasswordChange: Decodable {
        let currentPassword: String
        let newPassword: String
    }

    /// One kind of mail as the store would send it now.
    struct Preview: Encodable {
        let kind: String
        let subject: String
        let from: String
        let replyTo: String?
        let text: String
        let html: String?

        init(kind: MailKind, message: MailMessage) {
            (self.kind, subject, text, html) = (kind.rawValue, message.subject, message.text, message.html)
            from = message.from.name.map { "\($0) <\(message.from.address)>" } ?? message.from.address
            replyTo = message.replyTo?.address
        }
    }

    /// The answer to every request that may send mail.
    struct Accepted: Encodable {
        let status = "check_email"
        let detail: String
    }

    func register(on routes: StoreRouter) {
        routes.anyone.post("/api/customers/register") { request, context in
            let input = try await request.decodeJSON(Customers.Registration.self, context: context)
            try await throttle("register", context, email: input.email)
            try await customers(context).register(input, mail: services.mailer.sender)
            return try Accepted(detail: "Check your e-mail: we sent a link to finish creating the account.").jsonResponse(status: .accepted)
        }
        routes.anyone.post("/api/customers/verify") { request, context in
            let input = try await request.decodeJSON(VerifyBody.self, context: context)
            return try await followingLink(context, refused: Self.badVerification) {
                try await customers(context).verify(token: input.token, password: input.password)
            }.jsonResponse()
        }
        routes.anyone.post("/api/customers/password-reset") { request, context in
            let input = try await request.decodeJSON(EmailBody.self, context: context)
            try await throttle("reset", context, email: input.email)
            try await customers(context).requestPasswordReset(email: input.email, mail: services.mailer.sender)
            return try Accepted(detail: "If this address has an account, a link to set a new password is on its way.").jsonResponse(status: .accepted)
        }
        routes.anyone.post("/api/customers/password-reset/confirm") { request, context in
            let input = try await request.decodeJSON(ResetBody.self, context: context)
            return try await followingLink(context) { try await customers(context).resetPassword(token: input.token, password: input.password) }
                .jsonResponse()
        }
        routes.anyone.post("/api/auth/password-reset") { request, context in
            let input = try await request.decodeJSON(EmailBody.self, context: context)
            try await throttle("staff-reset", context, email: input.email)
            try await StaffSessions(database: context.database, hasher: services.passwordHasher).requestPasswordReset(
                email: input.email, mail: services.mailer.sender)
            return try Accepted(detail: "If this address belongs to the staff, a link to set a new password is on its way.").jsonResponse(status: .accepted)
        }
        routes.anyone.post("/api/auth/password-reset/confirm") { request, context in
            let input = try await request.decodeJSON(ResetBody.self, context: context)
            let sessions = StaffSessions(database: context.database, hasher: services.passwordHasher)
            return try await followingLink(context) { try await sessions.completeSetup(token: input.token, password: input.password) }.jsonResponse()
        }
        registerProfile(on: routes)
        registerMailbox(on: routes)
        registerStaffVerification(on: routes)
    }

    struct TokenBody: Decodable { let token: String }
    struct Verified: Encodable {
        let status = "verified"
        let email: String
    }

    func registerStaffVerification(on routes: StoreRouter) {
        routes.anyone.post("/api/auth/verify-email") { request, context in
            let input = try await request.decodeJSON(TokenBody.self, context: context)
            return try await followingLink(context) {
                try await StaffEmailVerification(database: context.database).verify(token: input.token).map(Verified.init(email:))
            }.jsonResponse()
        }
        routes.signedIn.post("/api/auth/me/verification") { _, context in
            try await throttle("staff-verify", context, email: context.staff.email)
            try await StaffEmailVerification(database: context.database).requestVerification(staffID: context.staff.staffID, mail: services.mailer.sender)
            return try Accepted(detail: "Check your e-mail: we sent a link to verify this address.").jsonResponse(status: .accepted)
        }
    }

    func registerProfile(on routes: StoreRouter) {
        routes.customer.post("/api/customers/me/verification") { _, context in
            try await throttle("verify", context, email: context.customer.email)
            try await customers(context).requestVerification(customer: context.customer, mail: services.mailer.sender)
            return try Accepted(detail: "Check your e-mail: we sent a link to verify this address.").jsonResponse(status: .accepted)
        }
        routes.customer.patch("/api/customers/me") { request, context in
            let input = try await request.decodeJSON(Customers.ProfileChange.self, context: context)
            return try await customers(context).updateProfile(customerID: context.customer.id, input).jsonResponse()
        }
        routes.customer.post("/api/customers/me/password") { request, context in
            let input = try await request.decodeJSON(PasswordChange.self, context: context)
            try await customers(context).changePassword(
                customerID: context.customer.id, current: input.currentPassword, new: input.newPassword, keepingSession: context.bearerToken)
            return Response(status: .noContent)
        }
        routes.customer.delete("/api/customers/me/addresses/:addressId") { _, context in
            let id = try context.parameters.require("addressId")
            guard try await customers(context).removeAddress(customerID: context.customer.id, addressID: id) else {
                throw Problem.notFound("There is no saved address \(id.prefix(64)).")
            }
            return Response(status: .noContent)
        }
    }

    func registerMailbox(on routes: StoreRouter) {
        routes.staff(.settings).get("/api/mail") { request, context in
            let query = request.queryDictionary
            let status = try query["status"].map { text -> QueuedMail.Status in
                guard let status = QueuedMail.Status(rawValue: text) else { throw Problem.invalid("status", "must be pending, sent or failed") }
                return status
            }
            return try await MailQueue(database: context.database).list(status: status, page: try PageRequest(limit: query["limit"], cursor: query["cursor"]))
                .jsonResponse()
        }
        routes.staff(.settings).get("/api/mail/preview/:kind") { _, context in
            let name = try context.parameters.require("kind")
            guard let kind = MailKind(rawValue: name) else { throw Problem.notFound("There is no kind of mail called \(name.prefix(64)).") }
            let message = try await services.mailer.preview(kind, slug: context.tenant.slug, database: context.database)
            return try Preview(kind: kind, message: message).jsonResponse()
        }
        routes.staff(.settings).post("/api/mail/:mailId/resend") { _, context in
            try await MailQueue(database: context.database).resend(id: try context.parameters.require("mailId")).jsonResponse()
        }
    }

    static let badLink = Problem.unauthorized("The link is not valid, was used already, or has expired.")
    static let badVerification = Problem.unauthorized(
        "The link is not valid, was used already or has expired, or the password is not the one chosen when registering.")

    /// Follows a mailed link; a link that does not work counts against the client's sign-in
    /// limit (429 when it is reached), one that does gives its try back.
    func followingLink<T: Encodable & Sendable>(
        _ context: some StoreRequestContext, refused: Problem = Self.badLink, _ follow: () async throws -> T?
    ) async throws -> T {
        let attempt = try await LoginThrottle(limiter: services.loginLimiter).begin("link:\(context.tenant.id):\(context.clientAddress ?? "local")")
        guard let result = try await follow() else { throw refused }
        await attempt.succeeded()
        return result
    }

    /// Counts a request that sends mail, per client and per address, against the sign-in limit.
    func throttle(_ action: String, _ context: some StoreRequestContext, email: String) async throws {
        let tenant = context.tenant.id
        // Keyed by the address as it is stored, so spaces or case do not make a new key.
        let address = EmailAddress(email)?.value ?? String(email.lowercased().prefix(254))
        _ = try await LoginThrottle(limiter: services.loginLimiter).begin(
            "\(action):\(tenant):\(context.clientAddress ?? "local")", "\(action):\(tenant):\(address)")
    }

    func customers(_ context: some StoreRequestContext) -> Customers {
        Customers(database: context.database, hasher: services.passwordHasher)
    }
}
