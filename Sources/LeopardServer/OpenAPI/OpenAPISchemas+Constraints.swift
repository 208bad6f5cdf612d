import Foundation
import LeopardCommerce
import LeopardCore

/// Strings as the server checks them, so a client (or a fuzzer) that follows the document sends
/// what the server accepts: lengths, characters, formats and the lists of known codes.
extension OpenAPISchemas {
    /// No NUL: the server refuses it in every field (free text may hold tabs and line breaks).
    static let noNUL = "^[^\\u0000]*$"
    /// No control characters (C0, DEL, C1): addresses and passwords refuse them.
    static let printable = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"

    /// Optional free text of at most `max` characters.
    static func text(max: Int) -> JSONValue { ["type": "string", "maxLength": .int(max), "pattern": .string(noNUL)] }

    /// A name or title: 1 to `max` characters, not only spaces (the server trims).
    static func name(max: Int) -> JSONValue {
        ["type": "string", "minLength": 1, "maxLength": .int(max), "pattern": "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"]
    }

    /// An address field: printable, and when required not only spaces.
    static func addressField(max: Int, required: Bool) -> JSONValue {
        let pattern = required ? "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$" : printable
        return ["type": "string", "minLength": .int(required ? 1 : 0), "maxLength": .int(max), "pattern": .string(pattern)]
    }

    /// What the server's check accepts: one `@`; a local part of 1 to 64 characters; a domain of
    /// two or more dot-separated labels, none empty or starting or ending with `-`; no spaces,
    /// control characters or `<>()[],;:\"`.
    static let emailPattern: String = {
        let allowed = "[^\\s@<>()\\[\\],;:\\\\\"\\u0000-\\u001F\\u007F]"
        let inLabel = "[^\\s@<>()\\[\\],;:\\\\\".\\u0000-\\u001F\\u007F]"
        let labelEnd = "[^\\s@<>()\\[\\],;:\\\\\".\\-\\u0000-\\u001F\\u007F]"
        let label = "\(labelEnd)(?:\(inLabel)*\(labelEnd))?"
        return "^\(allowed){1,64}@\(label)(?:\\.\(label))+$"
    }()

    static let email: JSONValue = ["type": "string", "maxLength": 254, "pattern": .string(emailPattern)]

    static let nullableEmail: JSONValue = ["type": ["string", "null"], "maxLength": 254, "pattern": .string(emailPattern)]

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

    /// An http(s) URL, or a path on the store's own host (`/media/…`, not `//…`): no spaces or
    /// control characters.
    static let httpURL: JSONValue = ["type": "string", "maxLength": 2048, "pattern": .string(httpURLPattern)]

    /// See `ProductDraft.hasHost`: an ASCII host name (or, on the server only, a bracketed IPv6
    /// address), a port up to 65535, then a path, query or fragment without spaces or controls.
    static let httpURLPattern =
        "^(?:https?://(?:[\(hostCharacters):]*@)?[\(hostCharacters)]+(?::\(portPattern))?(?:[/?#][^\\u0000-\\u0020\\u007F]*)?"
        + "|/(?:[^/\\u0000-\\u0020\\u007F][^\\u0000-\\u0020\\u007F]*)?)$"

    static let hostCharacters = "A-Za-z0-9._~!$&'()*+,;=%-"
    static let portPattern = "(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"

    /// An absolute http(s) URL a browser is sent back to: a host name, then an optional port,
    /// path and query of URL characters.
    static let absoluteURL: JSONValue = {
        let part = "(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*"
        let pattern = "^https?://[A-Za-z0-9.-]{1,253}(?::\(portPattern))?(?:[/?]\(part))?(?:#\(part))?$"
        return ["type": "string", "maxLength": 2048, "pattern": .string(pattern)]
    }()

    /// A calendar date, `2026-12-31`.
    static let date: JSONValue = ["type": "string", "format": "date"]

    /// A colour: `#1a2b3c` or `#abc`.
    static let colour: JSONValue = ["type": "string", "pattern": "^#(?:[0-9A-Fa-f]{3}){1,2}$"]

    /// A day a report reads: a date of the years 1970 to 9999.
    static let reportDay: JSONValue = ["type": "string", "format": "date", "pattern": "^(?:19[7-9][0-9]|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$"]

    /// A page's `cursor`: the `next_cursor` of the page before (an opaque base64url text).
    static let cursor: JSONValue = [
        "type": "string", "maxLength": 512, "pattern": "^(?:djE6[A-Za-z0-9_-]*)?$", "description": "The next_cursor of the page before",
    ]

    /// A customer tag: 1 to 40 letters, digits, spaces, `-` or `_`, stored in lower case. The
    /// server also takes letters and digits beyond ASCII.
    static let customerTag: JSONValue = [
        "type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[A-Za-z0-9_-](?:[A-Za-z0-9 _-]{0,38}[A-Za-z0-9_-])?$",
        "description": "Letters, digits, spaces, - and _",
    ]

    /// A name that travels on into mails, CSV and webhooks: as `name(max:)`, and without control
    /// or formatting characters, line or paragraph separators (those of the BMP).
    static func plainName(max: Int) -> JSONValue {
        let refused =
            "\\u0000-\\u001F\\u007F-\\u009F\\u00AD\\u0600-\\u0605\\u061C\\u06DD\\u070F\\u0890\\u0891\\u08E2\\u180E"
            + "\\u200B-\\u200F\\u2028-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF\\uFFF9-\\uFFFB"
        return ["type": "string", "minLength": 1, "maxLength": .int(max), "pattern": .string("^[^\(refused)]*[^\\s\(refused)][^\(refused)]*$")]
    }

    /// An instant with its offset, `2026-12-24T00:00:00Z`.
    static let dateTime: JSONValue = ["type": "string", "format": "date-time"]

    /// `Idempotency-Key`: 1 to 255 visible ASCII characters.
    static let idempotencyKey: JSONValue = ["type": "string", "pattern": "^[!-~]{1,255}$"]

    /// A new product, a change (PATCH) of a product, category or role needs none of the fields a
    /// new one does.
    static var derivedInputs: [(String, JSONValue)] {
        let every = all + staffSchemas + economicsSchemas
        func named(_ name: String) -> JSONValue { every.first { $0.0 == name }?.1 ?? ["type": "object"] }
        return [
            ("ProductCreate", productCreate),
            ("ProductPatch", productPatch),
            ("CategoryPatch", requiring([], named("CategoryInput"))),
            (
                "DiscountCreate",
                // A percentage (two decimals, at most 100), or whole minor units. The code is
                // required unless the discount is automatic (a rule this schema leaves to the server).
                when(
                    ["properties": ["kind": ["enum": ["percentage", "buy_x_get_y"]]]],
                    then: ["properties": ["value": ["maximum": 100, "multipleOf": .decimal(Decimal(1) / 100)]]],
                    else: ["properties": ["value": ["multipleOf": 1]]],
                    requiring(["kind"], named("DiscountInput")))
            ),
            ("RolePatch", requiring([], named("RoleInput"))),
        ]
    }

    /// `schema` with a `dependentSchemas` rule that applies whenever `key` is present: a PATCH
    /// that leaves `key` out is not held to it.
    static func dependent(_ key: String, _ rule: JSONValue, _ schema: JSONValue) -> JSONValue {
        guard case .object(var pairs) = schema else { return schema }
        pairs.append(("dependentSchemas", .object([(key, rule)])))
        return .object(pairs)
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
