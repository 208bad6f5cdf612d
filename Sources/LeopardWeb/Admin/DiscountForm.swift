import Foundation
import LeopardCommerce
import LeopardCore

/// The fields of a discount, for a new one or an edit: kind and value, the conditions (minimum
/// subtotal and quantity, products, categories, customers, dates) and the limits.
public struct DiscountForm: Sendable {
    public struct Choice: Sendable {
        public let value: String
        public let label: String
        public let selected: Bool
    }

    public let action: String
    public let button: String
    /// An edit shows the active switch.
    public let editing: Bool
    public let kinds: [Choice]
    public let products: [Choice]
    public let categories: [Choice]
    public let values: [String: String]
    public let errors: [String: String]
    public let general: String?

    public init(
        action: String, button: String, editing: Bool, values: [String: String], errors: FieldMessages, products: [(id: String, title: String)],
        categories: [(id: String, name: String)]
    ) {
        (self.action, self.button, self.editing, self.values) = (action, button, editing, values)
        let kind = values["kind"] ?? "percentage"
        kinds = [("percentage", "Percentage off"), ("fixed", "Amount off"), ("free_shipping", "Free shipping"), ("buy_x_get_y", "Buy X, get Y")].map {
            Choice(value: $0.0, label: $0.1, selected: $0.0 == kind)
        }
        let chosenProducts = Set((values["productIds"] ?? "").split(separator: ",").map(String.init))
        let chosenCategories = Set((values["categoryIds"] ?? "").split(separator: ",").map(String.init))
        self.products = products.map { Choice(value: $0.id, label: $0.title, selected: chosenProducts.contains($0.id)) }
        self.categories = categories.map { Choice(value: $0.id, label: $0.name, selected: chosenCategories.contains($0.id)) }
        self.errors = errors.messages
        general = errors.general
    }

    /// A discount's fields as the form shows them; `emails` are its customers' addresses.
    public static func values(of discount: Discount, currency: String, emails: [String]) -> [String: String] {
        var values: [String: String] = [
            "code": discount.code ?? "", "kind": discount.kind.rawValue, "appliesTo": discount.appliesTo.rawValue,
            "productIds": discount.productIds.joined(separator: ","), "categoryIds": discount.categoryIds.joined(separator: ","),
            "customerEmails": emails.joined(separator: ", "), "customerTags": discount.customerTags.joined(separator: ", "),
        ]
        switch discount.kind {
        case .fixed:
            values["value"] = MoneyText.decimal(NSDecimalNumber(decimal: discount.value).intValue, currency: currency)
        case .percentage, .buyXGetY: values["value"] = "\(discount.value)"
        case .freeShipping: break
        }
        func number(_ value: Int?) -> String { value.map(String.init) ?? "" }
        (values["buyQuantity"], values["getQuantity"]) = (number(discount.buyQuantity), number(discount.getQuantity))
        (values["minQuantity"], values["usageLimit"]) = (number(discount.minQuantity), number(discount.usageLimit))
        values["perCustomerLimit"] = number(discount.perCustomerLimit)
        values["minSubtotal"] = discount.minSubtotal.map { MoneyText.decimal($0.amount, currency: currency) } ?? ""
        values["startsAt"] = discount.startsAt.map { String($0.prefix(10)) } ?? ""
        values["endsAt"] = discount.endsAt.map { String($0.prefix(10)) } ?? ""
        if discount.appliesTo == .item { values["perItem"] = "on" }
        if discount.automatic { values["automatic"] = "on" }
        if discount.combinable { values["combinable"] = "on" }
        if discount.active { values["active"] = "on" }
        return values
    }
}

/// One discount, to change or delete.
public struct DiscountPage: Sendable {
    public let id: String
    public let name: String
    public let used: String
    public let form: DiscountForm

    public init(discount: Discount, form: DiscountForm) {
        id = discount.id
        name = discount.code ?? "\(discount.title) (automatic)"
        used = discount.usageLimit.map { "\(discount.timesUsed) of \($0)" } ?? String(discount.timesUsed)
        self.form = form
    }
}
