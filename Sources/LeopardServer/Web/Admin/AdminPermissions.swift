import LeopardCommerce

/// Which permissions open each part of the admin, by path: one table for every admin page and
/// form, checked when a visit starts, so a page cannot forget it. A member without them gets a
/// page saying so (403), and the menu leaves the section out.
enum AdminPermissions {
    /// The longest matching prefix decides; paths under none (sign-in, dashboard, the member's
    /// own address) need no permission.
    static let sections: [(prefix: String, anyOf: [StaffPermission])] = [
        ("/admin/products", [.products]),
        ("/admin/categories", [.products]),
        ("/admin/orders", [.orders, .fulfillments]),
        ("/admin/drafts", [.orders]),
        ("/admin/customers", [.customers]),
        ("/admin/discounts", [.discounts]),
        ("/admin/shipping", [.settings]),
        ("/admin/settings", [.settings]),
        ("/admin/mail", [.settings]),
        ("/admin/team", [.staff, .apps]),
        ("/admin/team/staff", [.staff]),
        ("/admin/team/keys", [.apps]),
        ("/admin/audit", [.staff]),
        ("/admin/roles", [.staff]),
        ("/admin/webhooks", [.webhooks]),
        ("/admin/reports", [.reports]),
    ]

    /// What an order action needs beyond reading the order.
    static let orderActions: [String: [StaffPermission]] = [
        "fulfil": [.fulfillments], "fulfillments": [.fulfillments], "cancel": [.orders], "refund": [.payments], "mark-paid": [.payments],
        "returns": [.orders], "refund-return": [.payments], "note": [.orders, .fulfillments], "edit": [.orders],
    ]

    /// The permissions a path needs (empty: none), by the longest prefix it falls under. Empty
    /// segments are dropped first, as the router drops them (`/admin//settings` is `/admin/settings`).
    static func needed(for path: String) -> [StaffPermission] {
        let path = "/" + path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        return sections.filter { path == $0.prefix || path.hasPrefix($0.prefix + "/") }.max { $0.prefix.count < $1.prefix.count }?.anyOf ?? []
    }

    static func allows(_ staff: StaffPrincipal?, path: String) -> Bool {
        guard let staff else { return false }
        let needed = needed(for: path)
        return needed.isEmpty || needed.contains(where: staff.can)
    }
}
