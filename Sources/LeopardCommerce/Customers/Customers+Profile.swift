import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// What a signed-in customer changes about themselves: names, password, saved addresses.
extension Customers {
    public struct ProfileChange: Decodable, Sendable {
        public var firstName: String?
        public var lastName: String?

        public init(firstName: String? = nil, lastName: String? = nil) {
            self.firstName = firstName
            self.lastName = lastName
        }
    }

    /// Sets the names given; an empty one clears it.
    public func updateProfile(customerID: String, _ change: ProfileChange, now: Date = Date()) async throws -> Customer {
        var errors: [Problem.FieldError] = []
        for (field, value) in [("firstName", change.firstName), ("lastName", change.lastName)] {
            if let value, value.count > 100 { errors.append(.init(field: field, message: "must be at most 100 characters")) }
            if let value, value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                errors.append(.init(field: field, message: "must not contain control characters"))
            }
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let first = change.firstName?.trimmingWhitespace()
        let last = change.lastName?.trimmingWhitespace()
        return try await database.write { sql in
            try await sql.raw(
                """
                UPDATE customers SET
                    first_name = CASE WHEN \(bind: change.firstName == nil ? 0 : 1) = 1 THEN NULLIF(\(bind: first ?? ""), '') ELSE first_name END,
                    last_name = CASE WHEN \(bind: change.lastName == nil ? 0 : 1) = 1 THEN NULLIF(\(bind: last ?? ""), '') ELSE last_name END,
                    updated_at = \(bind: now.stamp)
                WHERE id = \(bind: customerID)
                """
            ).run()
            guard let customer = try await self.find(id: customerID, on: sql) else { throw Problem.notFound("The customer disappeared.") }
            return customer
        }
    }

    /// Changes the password when `current` is right (403 otherwise) and ends every other session.
    public func changePassword(customerID: String, current: String, new: String, keepingSession token: String, now: Date = Date()) async throws {
        if let problem = PasswordHasher.problem(with: new) { throw Problem.invalid("newPassword", problem) }
        let stored = try await database.read { sql in
            try await sql.raw("SELECT password_hash FROM customers WHERE id = \(bind: customerID)").first()?.decode(column: "password_hash", as: String?.self)
        }
        guard let stored = stored ?? nil, try await hasher.verify(current, hash: stored) else {
            var problem = Problem.forbidden("The current password is wrong.")
            problem.errors = [.init(field: "currentPassword", message: "is wrong")]
            throw problem
        }
        let hash = try await hasher.hash(new)
        try await database.write { sql in
            try await sql.raw("UPDATE customers SET password_hash = \(bind: hash), updated_at = \(bind: now.stamp) WHERE id = \(bind: customerID)").run()
            try await sql.raw(
                """
                UPDATE customer_sessions SET revoked_at = \(bind: now.stamp)
                WHERE customer_id = \(bind: customerID) AND revoked_at IS NULL AND token_sha256 <> \(bind: TokenDigest.hex(token))
                """
            ).run()
        }
    }

    /// Removes one of the customer's saved addresses; false when they have no such address.
    public func removeAddress(customerID: String, addressID: String) async throws -> Bool {
        try await database.write { sql in
            try await sql.raw("DELETE FROM customer_addresses WHERE id = \(bind: addressID) AND customer_id = \(bind: customerID) RETURNING id").first() != nil
        }
    }
}
