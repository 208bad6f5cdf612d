import Foundation
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// The admin's discount, zone and tax rate forms read as the API's JSON input: the values to
/// show again, the body, and the fields that cannot be read at all (the services check
/// everything else, with their own field errors).
enum EconomicsForms {
    typealias Reading = (values: [String: String], body: JSONValue, problems: [(field: String, message: String)])

    static func text(_ fields: FormFields, _ names: [String]) -> [String: String] {
        var values: [String: String] = [:]
        for name in names { values[name] = String((fields[name] ?? "").prefix(500)).trimmingWhitespace() }
        return values
    }

    /// The discount form, new or edited. Every optional field is sent, empty as null, so an
    /// edit clears what was emptied.
    static func discount(_ fields: FormFields, currency: String) -> Reading {
        var values = text(
            fields,
            [
                "code", "kind", "value", "appliesTo", "buyQuantity", "getQuantity", "minSubtotal", "minQuantity", "usageLimit", "perCustomerLimit",
                "startsAt", "endsAt", "customerTags",
            ])
        // A list of addresses may be longer than a field.
        values["customerEmails"] = String((fields["customerEmails"] ?? "").prefix(30_000))
        var problems: [(String, String)] = []
        let kind = values["kind"] ?? "percentage"
        let automatic = fields["automatic"] != nil
        if automatic { values["automatic"] = "on" }
        if fields["combinable"] != nil { values["combinable"] = "on" }
        if values["appliesTo"] == "item" { values["perItem"] = "on" }
        var body: [(String, JSONValue)] = [("kind", .string(kind)), ("automatic", .bool(automatic)), ("combinable", .bool(fields["combinable"] != nil))]
        if fields["editing"] == "1" {
            body.append(("active", .bool(fields["active"] != nil)))
            if fields["active"] != nil { values["active"] = "on" }
        }
        body.append(("appliesTo", .string(values["appliesTo"] == "item" ? "item" : "order")))
        let code = values["code"] ?? ""
        body.append(("code", code.isEmpty ? .null : .string(code)))
        if automatic { body.append(("title", .string(code.isEmpty ? "Automatic discount" : code))) }
        problems += discountValue(values["value"] ?? "", kind: kind, currency: currency, into: &body)
        for name in ["buyQuantity", "getQuantity"] where !(values[name] ?? "").isEmpty {
            if let number = Int(values[name] ?? "") { body.append((name, .int(number))) } else { problems.append((name, "must be a whole number")) }
        }
        for name in ["minQuantity", "usageLimit", "perCustomerLimit"] {
            guard let text = values[name], !text.isEmpty else {
                body.append((name, .null))
                continue
            }
            if let number = Int(text) { body.append((name, .int(number))) } else { problems.append((name, "must be a whole number")) }
        }
        if let minimum = values["minSubtotal"], !minimum.isEmpty {
            if let amount = MoneyText.parse(minimum, currency: currency) {
                body.append(("minSubtotal", .int(amount)))
            } else {
                problems.append(("minSubtotal", "must be an amount like 50.00"))
            }
        } else {
            body.append(("minSubtotal", .null))
        }
        for (name, time) in [("startsAt", "T00:00:00Z"), ("endsAt", "T23:59:59Z")] {
            let day = values[name] ?? ""
            body.append((name, day.isEmpty ? .null : .string(day + time)))
        }
        let products = fields.values("productIds").prefix(100).map { String($0.prefix(64)) }
        let categories = fields.values("categoryIds").prefix(100).map { String($0.prefix(64)) }
        values["productIds"] = products.joined(separator: ",")
        values["categoryIds"] = categories.joined(separator: ",")
        body.append(("productIds", .array(products.map { .string($0) })))
        body.append(("categoryIds", .array(categories.map { .string($0) })))
        let emails = (values["customerEmails"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\r" }).map(String.init)
        let tags = (values["customerTags"] ?? "").split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        body.append(("customerTags", .array(tags.map { .string($0) })))
        body.append(("customerIds", .array([])))
        body.append(("customerEmails", .array(emails.map { .string($0) })))
        return (values, .object(body), problems)
    }

    /// The value field: an amount for `fixed`, a percentage otherwise (none for free shipping).
    private static func discountValue(_ value: String, kind: String, currency: String, into body: inout [(String, JSONValue)]) -> [(String, String)] {
        if kind == "fixed" {
            guard let amount = MoneyText.parse(value, currency: currency) else { return [("value", "must be an amount like 5.00")] }
            body.append(("value", .int(amount)))
        } else if kind != "free_shipping", !value.isEmpty {
            guard let number = Decimal(string: value, locale: Locale(identifier: "en_US_POSIX")) else { return [("value", "must be a percentage like 10")] }
            body.append(("value", .decimal(number)))
        }
        return []
    }

    static func zone(_ fields: FormFields, currency: String) -> Reading {
        var values = text(fields, ["zoneName", "countries", "regions"])
        var problems: [(String, String)] = []
        func list(_ text: String?) -> JSONValue {
            .array((text ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map { .string(String($0)) })
        }
        var methods: [JSONValue] = []
        for index in 0..<3 {
            let row = text(fields, ["method\(index)Name", "method\(index)Kind", "method\(index)Rate", "method\(index)FreeOver"])
            values.merge(row) { first, _ in first }
            guard let name = row["method\(index)Name"], !name.isEmpty else { continue }
            let kind = row["method\(index)Kind"] ?? "flat"
            var method: [(String, JSONValue)] = [("name", .string(name)), ("kind", .string(kind))]
            let rate = row["method\(index)Rate"] ?? ""
            if kind == "flat" {
                if let amount = MoneyText.parse(rate, currency: currency) {
                    method.append(("rate", .int(amount)))
                } else {
                    problems.append(("methods", "\(name): the rate must be an amount like 4.90"))
                }
            } else if let bands = Self.bands(rate, byValue: kind == "price", currency: currency) {
                method.append(("bands", .array(bands)))
            } else {
                problems.append(("methods", "\(name): write bands as “up to: rate” pairs, like 1000: 4.90; 5000: 9.90"))
            }
            if let free = row["method\(index)FreeOver"], !free.isEmpty {
                if let amount = MoneyText.parse(free, currency: currency) {
                    method.append(("freeOver", .int(amount)))
                } else {
                    problems.append(("methods", "\(name): “free from” must be an amount like 50.00"))
                }
            }
            methods.append(.object(method))
        }
        let body: JSONValue = .object([
            ("name", .string(values["zoneName"] ?? "")), ("countries", list(values["countries"])), ("regions", list(values["regions"])),
            ("methods", .array(methods)),
        ])
        return (values, body, problems)
    }

    /// `1000: 4.90; 5000: 9.90` → bands (grams, or amounts of order value when `byValue`).
    static func bands(_ text: String, byValue: Bool, currency: String) -> [JSONValue]? {
        var bands: [JSONValue] = []
        for pair in text.split(separator: ";") {
            let parts = pair.split(separator: ":").map { String($0).trimmingWhitespace() }
            guard parts.count == 2, let rate = MoneyText.parse(parts[1], currency: currency) else { return nil }
            guard let upTo = byValue ? MoneyText.parse(parts[0], currency: currency) : Int(parts[0]) else { return nil }
            bands.append(.object([("upTo", .int(upTo)), ("rate", .int(rate))]))
        }
        return bands.isEmpty ? nil : bands
    }

    static func rate(_ fields: FormFields) -> Reading {
        let values = text(fields, ["country", "region", "rate", "taxClass"])
        var body: [(String, JSONValue)] = [("country", .string(values["country"] ?? "")), ("appliesToShipping", .bool(fields["appliesToShipping"] != nil))]
        if let region = values["region"], !region.isEmpty { body.append(("region", .string(region))) }
        body.append(("taxClass", .string(values["taxClass"] ?? "standard")))
        guard let rate = Decimal(string: values["rate"] ?? "", locale: Locale(identifier: "en_US_POSIX")) else {
            return (values, .object(body), [("rate", "must be a percentage like 19 or 7.25")])
        }
        body.append(("rate", .decimal(rate)))
        return (values, .object(body), [])
    }
}
