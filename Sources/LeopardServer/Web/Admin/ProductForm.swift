import Foundation
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// The admin's product form read as the products API's JSON input: the values to show again,
/// the body, each variant's typed values, and the fields that cannot be turned into an amount
/// or a number at all (the API checks everything else, with its own field errors).
struct ProductForm {
    let currency: String
    private(set) var problems: [(field: String, message: String)] = []

    init(currency: String) {
        self.currency = currency
    }

    mutating func read(_ fields: FormFields, product: Product?) -> (values: [String: String], body: JSONValue, variantValues: [String: [String: String]]) {
        var values: [String: String] = [:]
        for name in [
            "title", "description", "status", "tags", "options", "price", "compareAt", "stock", "sku", "weight", "taxClass", "seoTitle", "seoDescription",
            "categoryId",
        ] {
            values[name] = String((fields[name] ?? "").prefix(20_000))
        }
        var body: [(String, JSONValue)] = [
            ("title", .string(values["title"] ?? "")), ("description", .string(values["description"] ?? "")), ("status", .string(values["status"] ?? "active")),
            ("taxClass", .string(values["taxClass"].flatMap { $0.isEmpty ? nil : $0 } ?? "standard")),
            ("seoTitle", (values["seoTitle"] ?? "").isEmpty ? .null : .string(values["seoTitle"] ?? "")),
            ("categoryIds", .array(fields.values("categoryIds").prefix(20).filter { !$0.isEmpty }.map { .string(String($0.prefix(64))) })),
            ("seoDescription", (values["seoDescription"] ?? "").isEmpty ? .null : .string(values["seoDescription"] ?? "")),
            (
                "tags",
                .array(
                    (values["tags"] ?? "").split(separator: ",").map { .string(String($0).trimmingWhitespace()) }.filter {
                        if case .string(let s) = $0 { return !s.isEmpty }
                        return true
                    })
            ),
        ]
        let (options, optionsError) = AdminProductPages.parseOptions(values["options"] ?? "")
        if let optionsError { problems.append(("options", optionsError)) }
        let optionsChanged = product.map { AdminProductPages.optionsText($0.options) != AdminProductPages.optionsText(options) } ?? true
        var variantValues: [String: [String: String]] = [:]
        if options.isEmpty {
            if let price = amount(values["price"], field: "price", required: true) { body.append(("price", price)) }
            body.append(("compareAtPrice", amount(values["compareAt"], field: "compareAtPrice", required: false) ?? .null))
            if let stock = stock(values["stock"], field: "stock") { body.append(("stock", stock)) }
            let sku = values["sku"]?.trimmingWhitespace() ?? ""
            body.append(("sku", sku.isEmpty ? .null : .string(sku)))
            body.append(("weight", weight(values["weight"], field: "weight")))
            body.append(("options", .array([])))
            if product.map({ !$0.options.isEmpty }) ?? false { body.append(("variants", .array([]))) }
        } else if optionsChanged {
            // New options: every combination, at the typed (or the current lowest) price.
            let base = amount(
                values["price"].flatMap { $0.isEmpty ? nil : $0 } ?? product.map { MoneyText.decimal($0.price.amount, currency: currency) },
                field: "price", required: true)
            let baseStock = stock(values["stock"], field: "stock") ?? .int(0)
            body.append(("options", .array(options.map { .object([("name", .string($0.name)), ("values", .array($0.values.map(JSONValue.string)))]) })))
            body.append(
                (
                    "variants",
                    .array(
                        AdminProductPages.combinations(options).map { combination in
                            .object([
                                ("options", .object(combination.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })), ("price", base ?? .null),
                                ("stock", baseStock),
                            ])
                        })
                ))
        } else if let product {
            var entries: [JSONValue] = []
            for (index, id) in fields.values("variant").enumerated() where product.variants.contains(where: { $0.id == id }) {
                let typed = [
                    "price": fields["price.\(id)"] ?? "", "compareAt": fields["compareAt.\(id)"] ?? "", "stock": fields["stock.\(id)"] ?? "",
                    "sku": fields["sku.\(id)"] ?? "", "weight": fields["weight.\(id)"] ?? "",
                ]
                variantValues[id] = typed
                let sku = typed["sku"]?.trimmingWhitespace() ?? ""
                entries.append(
                    .object([
                        ("id", .string(id)),
                        ("price", amount(typed["price"], field: "variants.\(index).price", required: true) ?? .null),
                        ("compareAtPrice", amount(typed["compareAt"], field: "variants.\(index).compareAtPrice", required: false) ?? .null),
                        ("stock", stock(typed["stock"], field: "variants.\(index).stock") ?? .int(0)),
                        ("sku", sku.isEmpty ? .null : .string(sku)),
                        ("weight", weight(typed["weight"], field: "variants.\(index).weight")),
                    ]))
            }
            body.append(("variants", .array(entries)))
        }
        values["categoryIds"] = fields.values("categoryIds").prefix(20).joined(separator: ",")
        return (values, .object(body), variantValues)
    }

    mutating func amount(_ text: String?, field: String, required: Bool) -> JSONValue? {
        guard let text, !text.trimmingWhitespace().isEmpty else {
            if required { problems.append((field, "is required")) }
            return nil
        }
        guard let minor = MoneyText.parse(text, currency: currency) else {
            problems.append((field, "must be an amount like 12.50"))
            return nil
        }
        return .object([("amount", .int(minor))])
    }
    /// Grams; blank is no weight.
    mutating func weight(_ text: String?, field: String) -> JSONValue {
        guard let text = text?.trimmingWhitespace(), !text.isEmpty else { return .null }
        guard let grams = Int(text.prefix(12)), grams >= 0 else {
            problems.append((field, "must be a whole number of grams, 0 or more"))
            return .null
        }
        return .int(grams)
    }

    mutating func stock(_ text: String?, field: String) -> JSONValue? {
        guard let text = text?.trimmingWhitespace(), !text.isEmpty else { return .int(0) }
        guard let value = Int(text), value >= 0 else {
            problems.append((field, "must be a whole number, 0 or more"))
            return nil
        }
        return .int(value)
    }
}
