import Foundation
import LeopardCommerce
import LeopardCore

/// A shipping zone's fields, for a new zone or an edit: the name, the places, and up to three
/// methods, each shown as typed (after an error) or as the zone has it.
public struct ZoneForm: Sendable {
    public struct Choice: Sendable {
        public let value: String
        public let label: String
        public let selected: Bool
    }

    public struct MethodRow: Sendable {
        public let index: Int
        public let number: Int
        public let name: String
        public let kinds: [Choice]
        public let rate: String
        public let freeOver: String
    }

    public let action: String
    public let button: String
    public let values: [String: String]
    public let methods: [MethodRow]
    public let errors: [String: String]

    /// How many methods a zone's form offers.
    public static let methodRows = 3

    public init(action: String, button: String, values: [String: String], errors: FieldMessages) {
        (self.action, self.button, self.values, self.errors) = (action, button, values, errors.messages)
        methods = (0..<Self.methodRows).map { index in
            let kind = values["method\(index)Kind"] ?? "flat"
            return MethodRow(
                index: index, number: index + 1, name: values["method\(index)Name"] ?? "",
                kinds: [("flat", "at one rate"), ("weight", "by weight"), ("price", "by order value")].map {
                    Choice(value: $0.0, label: $0.1, selected: $0.0 == kind)
                }, rate: values["method\(index)Rate"] ?? "", freeOver: values["method\(index)FreeOver"] ?? "")
        }
    }

    /// A zone's fields as the form shows them (bands as `up to: rate` pairs).
    public static func values(of zone: ShippingZone, currency: String) -> [String: String] {
        var values = ["zoneName": zone.name, "countries": zone.countries.joined(separator: ", "), "regions": zone.regions.joined(separator: ", ")]
        for (index, method) in zone.methods.prefix(methodRows).enumerated() {
            values["method\(index)Name"] = method.name
            values["method\(index)Kind"] = method.kind.rawValue
            switch method.kind {
            case .flat: values["method\(index)Rate"] = method.rate.map { MoneyText.decimal($0.amount, currency: currency) } ?? ""
            case .weight, .price:
                values["method\(index)Rate"] = method.bands.map { band in
                    let upTo = method.kind == .price ? MoneyText.decimal(band.upTo, currency: currency) : String(band.upTo)
                    return "\(upTo): \(MoneyText.decimal(band.rate.amount, currency: currency))"
                }.joined(separator: "; ")
            }
            values["method\(index)FreeOver"] = method.freeOver.map { MoneyText.decimal($0.amount, currency: currency) } ?? ""
        }
        return values
    }
}

/// One shipping zone, to change.
public struct ZonePage: Sendable {
    public let id: String
    public let name: String
    public let form: ZoneForm
    public let general: String?

    public init(id: String, name: String, form: ZoneForm, general: String?) {
        (self.id, self.name, self.form, self.general) = (id, name, form, general)
    }
}
