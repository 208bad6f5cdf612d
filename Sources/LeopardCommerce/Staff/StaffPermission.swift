import LeopardCore

/// What a staff role (or an API key's scopes) lets its holder do. The owner holds all of them.
///
/// Reading orders needs `orders` or `fulfillments`; refunds and marking an order paid need
/// `payments`. Payment provider keys (where the money goes) stay with the owner alone.
public enum StaffPermission: String, Codable, Sendable, CaseIterable, Comparable {
    case orders, fulfillments, products, customers, discounts, settings, reports, staff, payments, webhooks, apps

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }

    /// What staff members and API keys could do before roles existed: everything but the owner's
    /// pages (staff, webhooks, API keys). Members from then, keys without scopes and the
    /// built-in "Staff" role hold these.
    public static let legacyStaff: Set<StaffPermission> = [.orders, .fulfillments, .products, .customers, .discounts, .settings, .reports, .payments]

    /// What a merchant reads in the admin.
    public var label: String {
        switch self {
        case .orders: "Orders: view, cancel, returns, draft orders"
        case .fulfillments: "Fulfilments: view orders and ship them"
        case .products: "Products, categories and stock"
        case .customers: "Customers"
        case .discounts: "Discounts"
        case .settings: "Store settings, shipping, taxes and mail"
        case .reports: "Reports"
        case .staff: "Staff and the audit log"
        case .payments: "Payments: mark paid and refunds"
        case .webhooks: "Webhooks"
        case .apps: "API keys"
        }
    }

    /// Stored as the names separated by spaces, in the order of `allCases`.
    static func stored(_ permissions: Set<StaffPermission>) -> String {
        permissions.sorted().map(\.rawValue).joined(separator: " ")
    }

    /// Names read back; a name this version does not know is skipped (never granted).
    static func parse(stored text: String) -> Set<StaffPermission> {
        Set(text.split(separator: " ").compactMap { StaffPermission(rawValue: String($0)) })
    }

    /// Names from a request: each must be known, or a field error naming the list.
    public static func parse(_ names: [String], field: String) throws -> Set<StaffPermission> {
        var permissions: Set<StaffPermission> = []
        for name in names {
            guard let permission = StaffPermission(rawValue: name) else {
                throw Problem.invalid(field, "must name permissions from: " + allCases.map(\.rawValue).joined(separator: ", "))
            }
            permissions.insert(permission)
        }
        return permissions
    }
}
