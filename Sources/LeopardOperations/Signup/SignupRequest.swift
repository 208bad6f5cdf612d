import LeopardCommerce
import LeopardCore
import LeopardPlatform

/// The body of `POST /api/tenants`.
public struct SignupRequest: Codable, Sendable {
    public var storeName: String
    public var ownerEmail: String
    var ownerPassword: String?
    public var slug: String?

    public init(storeName: String, ownerEmail: String, ownerPassword: String? = nil, slug: String? = nil) {
        self.storeName = storeName
        self.ownerEmail = ownerEmail
        self.ownerPassword = ownerPassword
        self.slug = slug
    }

    static let maximumStoreNameLength = 100

    struct Valid {
        public var storeName: String
        public var slug: Slug
        var email: EmailAddress
        var password: String?
    }

    /// Every field's problem at once, or the cleaned-up values.
    func validate() throws(Problem) -> Valid {
        var errors: [Problem.FieldError] = []
        let name = storeName.trimmingWhitespace()
        if name.isEmpty {
            errors.append(.init(field: "storeName", message: "is required"))
        } else if name.count > Self.maximumStoreNameLength || name.utf8.count > Self.maximumStoreNameLength * 4 {
            errors.append(.init(field: "storeName", message: "must be at most \(Self.maximumStoreNameLength) characters"))
        } else if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.append(.init(field: "storeName", message: "may not contain control characters"))
        }
        let email = EmailAddress(ownerEmail)
        if email == nil { errors.append(.init(field: "ownerEmail", message: "is not a valid e-mail address")) }
        if let ownerPassword, let problem = PasswordHasher.problem(with: ownerPassword) {
            errors.append(.init(field: "ownerPassword", message: problem))
        }
        var slugValue: Slug?
        if let slug {
            do throws(Slug.Invalid) {
                slugValue = try Slug(validating: slug)
            } catch {
                errors.append(.init(field: "slug", message: error.message))
            }
        } else if !name.isEmpty {
            do throws(Slug.Invalid) {
                slugValue = try Slug(deriving: name)
            } catch {
                errors.append(.init(field: "slug", message: "could not be made from the store name (\(error.message)); choose one"))
            }
        }
        guard errors.isEmpty, let slugValue, let email else { throw Problem.validation(errors) }
        return Valid(storeName: name, slug: slugValue, email: email, password: ownerPassword)
    }
}
