import Foundation
import LeopardCommerce
import LeopardCore
import LeopardWeb

/// The admin's settings form read as the settings API's JSON input: the values to show again,
/// the body, and the fields that cannot be turned into a number or an amount at all (the API
/// checks everything else, with its own field errors).
enum SettingsForm {
    static func read(_ fields: FormFields, currentCurrency: String) -> (values: [String: String], body: JSONValue, problems: [(field: String, message: String)])
    {
        var values: [String: String] = [:]
        for name in [
            "name", "currency", "contactEmail", "taxRate", "shippingRate", "logoUrl", "preset", "primaryColor", "accentColor", "font", "radius",
            "lowStockThreshold", "reservationMinutes", "senderName", "replyTo", "timeZone",
        ] {
            values[name] = String((fields[name] ?? "").prefix(2048)).trimmingWhitespace()
        }
        var problems: [(field: String, message: String)] = []
        let currency = (values["currency"] ?? "").uppercased()
        var body: [(String, JSONValue)] = [("name", .string(values["name"] ?? "")), ("currency", .string(currency))]
        body.append(("contactEmail", (values["contactEmail"] ?? "").isEmpty ? .null : .string(values["contactEmail"] ?? "")))
        body.append(("logoUrl", (values["logoUrl"] ?? "").isEmpty ? .null : .string(values["logoUrl"] ?? "")))
        if let tax = Decimal(string: (values["taxRate"] ?? "").isEmpty ? "0" : values["taxRate"] ?? "", locale: Locale(identifier: "en_US_POSIX")) {
            body.append(("taxRate", .decimal(tax)))
        } else {
            problems.append(("taxRate", "must be a percentage like 8.25"))
        }
        if let shipping = MoneyText.parse(
            (values["shippingRate"] ?? "").isEmpty ? "0" : values["shippingRate"] ?? "", currency: Currency.isKnown(currency) ? currency : currentCurrency)
        {
            body.append(("shippingRate", .object([("amount", .int(shipping))])))
        } else {
            problems.append(("shippingRate", "must be an amount like 4.99"))
        }
        if let threshold = Int(values["lowStockThreshold"] ?? "") {
            body.append(("lowStockThreshold", .int(threshold)))
        } else {
            problems.append(("lowStockThreshold", "must be a whole number"))
        }
        // An older form without the field keeps the store's setting.
        if let text = values["reservationMinutes"], !text.isEmpty {
            if let minutes = Int(text.prefix(9)) {
                body.append(("reservationMinutes", .int(minutes)))
            } else {
                problems.append(("reservationMinutes", "must be a whole number of minutes"))
            }
        }
        if let zone = values["timeZone"], !zone.isEmpty { body.append(("timeZone", .string(zone))) }
        var mail: [(String, JSONValue)] = []
        for name in ["senderName", "replyTo"] { mail.append((name, (values[name] ?? "").isEmpty ? .null : .string(values[name] ?? ""))) }
        for name in ["newOrderNotifications", "lowStockNotifications"] {
            let on = fields[name] != nil
            if on { values[name] = "on" }
            mail.append((name, .bool(on)))
        }
        body.append(("mail", .object(mail)))
        var theme: [(String, JSONValue)] = [("preset", .string(values["preset"] ?? "classic"))]
        for name in ["primaryColor", "accentColor", "font"] { if let value = values[name], !value.isEmpty { theme.append((name, .string(value))) } }
        if let radius = values["radius"], !radius.isEmpty {
            if let number = Int(radius) { theme.append(("radius", .int(number))) } else { problems.append(("radius", "must be a whole number from 0 to 32")) }
        }
        body.append(("theme", .object(theme)))
        return (values, .object(body), problems)
    }
}
