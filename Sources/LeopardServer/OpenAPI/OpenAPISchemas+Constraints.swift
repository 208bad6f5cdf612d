import LeopardCommerce
import LeopardCore

/// Strings as the server checks them, so a client (or a fuzzer) that follows the document sends
/// what the server accepts: lengths, characters, formats and the lists of known codes.
extension OpenAPISchemas {
    /// No control characters, NUL above all: the server refuses them in every field.
    static let printable = "^[^\\u0000-\\u001F\\u007F]*$"
    /// Printable, and at least one character that is not a space (the server trims).
    static let saysSomething = "^[^\\u0000-\\u001F\\u007F]*[^\\s\\u0000-\\u001F\\u007F][^\\u0000-\\u001F\\u007F]*$"

    /// Optional free text of at most `max` characters.
    static func text(max: Int) -> JSONValue { ["type": "string", "maxLength": .int(max), "pattern": .string(printable)] }

    /// A name or title: 1 to `max` characters, not only spaces.
    static func name(max: Int) -> JSONValue {
        ["type": "string", "minLength": 1, "maxLength": .int(max), "pattern": .string(saysSomething)]
    }

    /// The addresses the server's check accepts (a subset of RFC 5322: no quoting, no comments).
    static let email: JSONValue = [
        "type": "string", "maxLength": 254,
        "pattern": "^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
    ]

    static let nullableEmail: JSONValue = [
        "type": ["string", "null"], "maxLength": 254,
        "pattern": "^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
    ]

    /// 8 characters or more, at most 72 bytes of UTF-8 (bcrypt reads no further), no control characters.
    static let password: JSONValue = [
        "type": "string", "minLength": .int(PasswordHasher.minimumLength), "maxLength": .int(PasswordHasher.maximumLength),
        "pattern": .string(printable), "description": "At least 8 characters and at most 72 bytes of UTF-8",
    ]

    /// A handle in URLs: lower-case letters, digits and single hyphens.
    static let slug: JSONValue = ["type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"]

    /// The codes, named once: a generated client gets one enum for each.
    static let codeSchemas: [(String, JSONValue)] = [
        ("CountryCode", ["type": "string", "description": "ISO 3166-1 alpha-2", "enum": .array(Address.countries.sorted().map { .string($0) })]),
        ("CurrencyCode", ["type": "string", "description": "ISO 4217", "enum": .array(Currency.minorUnits.keys.sorted().map { .string($0) })]),
    ]

    static let country = ref("CountryCode")
    static let currency = ref("CurrencyCode")

    static let httpURL: JSONValue = ["type": "string", "format": "uri", "maxLength": 2048, "pattern": "^https?://[^\\s/?#]+[^\\s]*$"]

    /// A calendar date, `2026-12-31`.
    static let date: JSONValue = ["type": "string", "format": "date"]

    /// An instant with its offset, `2026-12-24T00:00:00Z`.
    static let dateTime: JSONValue = ["type": "string", "format": "date-time"]

    /// `Idempotency-Key`: 1 to 255 visible ASCII characters.
    static let idempotencyKey: JSONValue = ["type": "string", "pattern": "^[!-~]{1,255}$"]

    /// A new product needs its title and (without options) its price; a change (PATCH) of a
    /// product, category or role needs none of the fields a new one does.
    static var derivedInputs: [(String, JSONValue)] {
        let every = all + staffSchemas + economicsSchemas
        func named(_ name: String) -> JSONValue { every.first { $0.0 == name }?.1 ?? ["type": "object"] }
        return [
            ("ProductCreate", requiring(["title", "price"], named("ProductInput"))), ("ProductPatch", requiring([], named("ProductInput"))),
            ("CategoryPatch", requiring([], named("CategoryInput"))), ("DiscountCreate", requiring(["kind", "value", "code"], named("DiscountInput"))),
            ("RolePatch", requiring([], named("RoleInput"))),
        ]
    }

    /// `schema` with `dependentRequired`: a field that is meaningful only beside another.
    static func requiringWith(_ dependencies: [String: [String]], _ schema: JSONValue) -> JSONValue {
        guard case .object(var pairs) = schema else { return schema }
        let sorted = dependencies.sorted { $0.key < $1.key }
        pairs.append(("dependentRequired", .object(sorted.map { ($0.key, .array($0.value.map { .string($0) })) })))
        return .object(pairs)
    }

    /// `schema` (an object) with a rule JSON Schema's `if`/`then`/`else` states: fields one value
    /// of another field makes required. Client generators ignore it; validators and fuzzers follow it.
    static func when(_ condition: JSONValue, then: JSONValue, else otherwise: JSONValue? = nil, _ schema: JSONValue) -> JSONValue {
        guard case .object(var pairs) = schema else { return schema }
        pairs.append(("if", condition))
        pairs.append(("then", then))
        if let otherwise { pairs.append(("else", otherwise)) }
        return .object(pairs)
    }

    /// `schema` (an object) with `names` required.
    static func requiring(_ names: [String], _ schema: JSONValue) -> JSONValue {
        guard case .object(var pairs) = schema else { return schema }
        pairs.removeAll { $0.0 == "required" }
        if !names.isEmpty { pairs.append(("required", .array(names.map { .string($0) }))) }
        return .object(pairs)
    }

    /// A line quantity: a whole number from 1 to 10,000.
    static let quantity: JSONValue = ["type": "integer", "minimum": 1, "maximum": 10_000]
}
