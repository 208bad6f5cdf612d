import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// Accounts that belong to whoever reads the mail at their address. Registering never changes a
/// customer at once: it sends a link, and only following it creates the account (or gives a
/// past guest's record its password). An address that has an account gets a mail saying so
/// instead, and the API answers both the same way, so registering tells nobody which addresses
/// are customers.
extension Customers {
    struct PendingRegistration: Codable {
        let passwordHash: String
        let firstName: String?
        let lastName: String?
    }

    /// Checks the registration and mails a verification link (or, for an address with an
    /// account, a note saying so).
    public func register(_ registration: Registration, mail: MailSender, now: Date = Date()) async throws {
        var errors: [Problem.FieldError] = []
        let email = EmailAddress(registration.email)
        if email == nil { errors.append(.init(field: "email", message: "must be an e-mail address")) }
        if let problem = PasswordHasher.problem(with: registration.password) { errors.append(.init(field: "password", message: problem)) }
        for (field, value) in [("firstName", registration.firstName), ("lastName", registration.lastName)] {
            if let value, value.count > 100 { errors.append(.init(field: field, message: "must be at most 100 characters")) }
        }
        guard errors.isEmpty, let email else { throw Problem.validation(errors) }
        let pending = PendingRegistration(
            passwordHash: try await hasher.hash(registration.password), firstName: registration.firstName, lastName: registration.lastName)
        try await database.write { sql in
            let row = try await sql.raw("SELECT id, password_hash FROM customers WHERE email = \(bind: email.value)").first()
            if let row, try row.decode(column: "password_hash", as: String?.self) != nil {
                try await mail.send(.customerAccountExists, to: email.value, now: now, on: sql)
                return
            }
            let token = try await AccountTokens.issue(
                .customerVerification, email: email.value, subjectID: try row?.decode(column: "id", as: String.self),
                payloadJSON: try JSONText.encode(pending), now: now, on: sql)
            try await mail.send(.customerVerification, to: email.value, link: token, now: now, on: sql)
        }
    }

    /// Mails a signed-in customer a link that verifies their address (accounts made before
    /// verification existed).
    public func requestVerification(customer: Customer, mail: MailSender, now: Date = Date()) async throws {
        guard !customer.verified else { throw Problem.conflict("This e-mail address is verified already.") }
        try await database.write { sql in
            let token = try await AccountTokens.issue(.customerVerification, email: customer.email, subjectID: customer.id, now: now, on: sql)
            try await mail.send(.customerVerification, to: customer.email, link: token, now: now, on: sql)
        }
    }

    /// Follows a verification link, creates or verifies the account, ends its other sessions and
    /// signs in. Nil for a link that is unknown, used or expired, or a password that is not the
    /// one. With a password (the storefront's link page always asks for it), whoever follows the
    /// link must also know the password chosen when registering, so a stranger who registered
    /// someone else's address gains nothing when its owner follows the link from the mail. An
    /// app that registered and holds the token may pass the token alone, as Saleor's
    /// `confirmAccount` does. A wrong password does not use the link up.
    public func verify(token: String, password: String?, now: Date = Date()) async throws -> Session? {
        guard let pending = try await database.read({ sql in try await AccountTokens.peek(token, purpose: .customerVerification, now: now, on: sql) })
        else {
            if let password { try await hasher.spendVerificationTime(password) }
            return nil
        }
        if let password, !(try await passwordMatches(password, pending: pending)) { return nil }
        let customer = try await database.write { sql -> Customer? in
            guard let redeemed = try await AccountTokens.redeem(token, purpose: .customerVerification, now: now, on: sql) else { return nil }
            let id: String
            if let payload = redeemed.payloadJSON {
                id = try await self.createVerified(
                    email: redeemed.email, pending: try JSONText.decode(PendingRegistration.self, from: payload), now: now, on: sql)
            } else {
                guard let subject = redeemed.subjectID else { return nil }
                id = subject
            }
            try await sql.raw(
                "UPDATE customers SET email_verified_at = COALESCE(email_verified_at, \(bind: now.stamp)), updated_at = \(bind: now.stamp) WHERE id = \(bind: id)"
            ).run()
            try await sql.raw("UPDATE customer_sessions SET revoked_at = \(bind: now.stamp) WHERE customer_id = \(bind: id) AND revoked_at IS NULL").run()
            return try await self.find(id: id, on: sql)
        }
        return try await customer.asyncMap { try await openSession(for: $0, now: now) }
    }

    /// Whether the password is the registration's (or, for an existing account's link, the
    /// account's).
    private func passwordMatches(_ password: String, pending: AccountTokens.Redeemed) async throws -> Bool {
        let expected: String?
        if let payload = pending.payloadJSON {
            expected = try JSONText.decode(PendingRegistration.self, from: payload).passwordHash
        } else {
            expected =
                try await database.read { sql in
                    try await sql.raw("SELECT password_hash FROM customers WHERE id = \(bind: pending.subjectID ?? "")").first()?
                        .decode(column: "password_hash", as: String?.self)
                } ?? nil
        }
        guard let expected else { return false }
        return try await hasher.verify(password, hash: expected)
    }

    /// The account a registration link creates: a new customer, or the guest record of past
    /// orders at this address. An address that gained an account since the link was sent keeps it.
    private func createVerified(email: String, pending: PendingRegistration, now: Date, on sql: any SQLDatabase) async throws -> String {
        if let row = try await sql.raw("SELECT id, password_hash FROM customers WHERE email = \(bind: email)").first() {
            guard try row.decode(column: "password_hash", as: String?.self) == nil else {
                throw Problem.conflict("An account with this e-mail address exists; sign in instead.")
            }
            let id = try row.decode(column: "id", as: String.self)
            try await sql.raw(
                """
                UPDATE customers SET password_hash = \(bind: pending.passwordHash), first_name = COALESCE(\(bind: pending.firstName), first_name),
                    last_name = COALESCE(\(bind: pending.lastName), last_name)
                WHERE id = \(bind: id)
                """
            ).run()
            return id
        }
        let id = Identifier.make("cus", date: now)
        try await sql.raw(
            """
            INSERT INTO customers (id, email, password_hash, first_name, last_name, created_at, updated_at)
            VALUES (\(bind: id), \(bind: email), \(bind: pending.passwordHash), \(bind: pending.firstName), \(bind: pending.lastName), \(bind: now.stamp), \(bind: now.stamp))
            """
        ).run()
        return id
    }

    /// Mails a reset link when a customer (registered, or a guest of past orders) has this
    /// address; does nothing otherwise. Callers answer the same either way.
    public func requestPasswordReset(email text: String, mail: MailSender, now: Date = Date()) async throws {
        guard let email = EmailAddress(text) else { throw Problem.invalid("email", "must be an e-mail address") }
        try await database.write { sql in
            guard let row = try await sql.raw("SELECT id FROM customers WHERE email = \(bind: email.value)").first() else { return }
            let token = try await AccountTokens.issue(
                .customerReset, email: email.value, subjectID: try row.decode(column: "id", as: String.self), now: now, on: sql)
            try await mail.send(.customerPasswordReset, to: email.value, link: token, now: now, on: sql)
        }
    }

    /// Follows a reset link: sets the password, verifies the address (the link reached it), ends
    /// every other session and signs in. Nil for a link that is unknown, used or expired.
    public func resetPassword(token: String, password: String, now: Date = Date()) async throws -> Session? {
        if let problem = PasswordHasher.problem(with: password) { throw Problem.invalid("password", problem) }
        // A link that cannot work costs no hashing: guessing links is not a way to spend our CPU.
        guard try await database.read({ sql in try await AccountTokens.peek(token, purpose: .customerReset, now: now, on: sql) }) != nil else {
            return nil
        }
        let hash = try await hasher.hash(password)
        let customer = try await database.write { sql -> Customer? in
            guard let redeemed = try await AccountTokens.redeem(token, purpose: .customerReset, now: now, on: sql), let id = redeemed.subjectID else {
                return nil
            }
            try await sql.raw(
                """
                UPDATE customers SET password_hash = \(bind: hash), email_verified_at = COALESCE(email_verified_at, \(bind: now.stamp)),
                    updated_at = \(bind: now.stamp)
                WHERE id = \(bind: id)
                """
            ).run()
            try await sql.raw("UPDATE customer_sessions SET revoked_at = \(bind: now.stamp) WHERE customer_id = \(bind: id) AND revoked_at IS NULL").run()
            return try await self.find(id: id, on: sql)
        }
        return try await customer.asyncMap { try await openSession(for: $0, now: now) }
    }
}
