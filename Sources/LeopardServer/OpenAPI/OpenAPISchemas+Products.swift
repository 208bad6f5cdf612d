/// A product write (`POST`, `PUT`, `PATCH`) as `ProductDraft` checks it: lengths and counts per
/// field, and the rules between options and variants JSON Schema can state. What it cannot:
/// each variant's options name every option and one of its values, and a compare-at price is not
/// below the price.
extension OpenAPISchemas {
    /// The fields that price a product without options: its single variant.
    static let flatProductFields = ["price", "stock", "sku", "compareAtPrice", "trackInventory", "weight"]

    static let productInputSchemas: [(String, JSONValue)] = [
        (
            "ProductOptionInput",
            object(
                [
                    ("name", name(max: 64)),
                    ("values", ["type": "array", "minItems": 1, "uniqueItems": true, "items": name(max: 64), "description": "Different values"]),
                ], required: ["name", "values"])
        ),
        ("ProductVariantInput", object([("id", ["type": "string", "description": "A variant of this product: keeps it, with its stock"])] + variantFields)),
        ("ProductVariantCreate", object(variantFields)),
        ("ProductInput", product(variant: "ProductVariantInput", rule: optionRule(requiringPrice: true))),
    ]

    /// A new product: a title, and without options its price.
    static var productCreate: JSONValue { product(variant: "ProductVariantCreate", rule: optionRule(requiringPrice: true)) }

    /// A change: the option rule holds only when the change names the options (the product's
    /// own options apply otherwise).
    static var productPatch: JSONValue {
        dependent("options", optionRule(requiringPrice: false, naming: false), requiring([], product(variant: "ProductVariantInput", rule: nil)))
    }

    static let variantFields: [(String, JSONValue)] = [
        ("sku", text(max: 64)), ("title", text(max: 255)),
        ("options", ["type": "object", "additionalProperties": name(max: 64), "description": "A value for each of the product's options, by name"]),
        ("price", ref("MoneyInput")), ("compareAtPrice", ref("MoneyInput")),
        ("stock", ["type": "integer", "minimum": 0, "maximum": 1_000_000_000]), ("trackInventory", boolean),
        ("weight", ["type": "integer", "minimum": 0, "maximum": 1_000_000_000, "description": "Grams"]),
    ]

    /// With options, the variants carry the prices (each its own) and the flat fields are
    /// refused; without, a product is at most one variant with no option values, priced by
    /// `price` when `requiringPrice`. `naming`: the rule applies when `options` is absent too.
    static func optionRule(requiringPrice: Bool, naming: Bool = true) -> JSONValue {
        let withOptions: JSONValue = [
            "required": ["variants"],
            "properties": ["variants": ["minItems": 1, "items": ["required": ["price"]]]],
            "not": ["anyOf": .array(flatProductFields.map { ["required": [.string($0)]] })],
        ]
        var withoutOptions: [(String, JSONValue)] = [
            ("properties", ["variants": ["maxItems": 1, "items": ["properties": ["options": ["maxProperties": 0]]]]])
        ]
        if requiringPrice { withoutOptions.append(("required", ["price"])) }
        var condition: [(String, JSONValue)] = [("properties", ["options": ["minItems": 1]])]
        if naming { condition.insert(("required", ["options"]), at: 0) }
        return ["if": .object(condition), "then": withOptions, "else": .object(withoutOptions)]
    }

    /// The product object with `rule` (an `if`/`then`/`else`) merged in.
    static func product(variant: String, rule: JSONValue?) -> JSONValue {
        // Images sort by it; ties keep the list's order.
        let position: JSONValue = ["type": "integer", "minimum": -1_000_000_000, "maximum": 1_000_000_000]
        let fields: [(String, JSONValue)] = [
            ("title", name(max: 255)), ("slug", slug),
            ("description", ["type": "string", "maxLength": 65_536, "description": "At most 64 KiB of UTF-8"]),
            ("status", ["type": "string", "enum": ["draft", "active", "archived"]]),
            ("categoryId", nullable("string")),
            (
                "categoryIds",
                [
                    "type": "array", "maxItems": 20, "uniqueItems": true, "items": ["type": "string", "minLength": 1, "maxLength": 64],
                    "description": "Every category, the main one first",
                ]
            ),
            (
                "images",
                ["type": "array", "maxItems": 50, "items": object([("url", httpURL), ("alt", text(max: 512)), ("position", position)], required: ["url"])]
            ),
            ("options", ["type": "array", "maxItems": 3, "items": ref("ProductOptionInput")]),
            ("variants", ["type": "array", "maxItems": 100, "items": ref(variant)]),
            ("tags", ["type": "array", "maxItems": 50, "items": text(max: 64)]), ("price", ref("MoneyInput")),
            ("compareAtPrice", ref("MoneyInput")), ("stock", ["type": "integer", "minimum": 0, "maximum": 1_000_000_000]),
            ("sku", ["type": ["string", "null"], "maxLength": 64]), ("trackInventory", boolean),
            ("taxClass", ["type": "string", "enum": ["standard", "reduced", "exempt"]]),
            ("weight", ["type": "integer", "minimum": 0, "maximum": 1_000_000_000, "description": "Grams, of the single variant"]),
            ("seoTitle", ["type": ["string", "null"], "maxLength": 70]), ("seoDescription", ["type": ["string", "null"], "maxLength": 320]),
        ]
        guard case .object(var pairs) = object(fields, required: ["title"]), case .object(let rules)? = rule else { return object(fields, required: ["title"]) }
        pairs += rules
        return .object(pairs)
    }
}
