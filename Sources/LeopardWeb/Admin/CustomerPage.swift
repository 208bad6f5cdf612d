import Foundation
import LeopardCommerce
import LeopardCore

/// One customer in the admin: the account, addresses, orders with what they came to, tags and
/// the team's notes.
public struct CustomerPage: Sendable {
    public struct Order: Sendable {
        public let url: String
        public let name: String
        public let status: String
        public let total: String
        public let date: String
    }

    public struct Note: Sendable {
        public let text: String
        public let by: String
        public let when: String
    }

    public let id: String
    public let email: String
    public let name: String?
    public let account: String
    public let since: String
    /// Nil for staff who may not read orders.
    public let orderCount: Int?
    /// "1 order", "3 orders".
    public let orderCountText: String?
    public let totalSpent: String?
    public let orders: [Order]
    public let hasOrders: Bool
    public let ordersUrl: String
    public let addresses: [String]
    /// The tags field: as typed after an error, else as saved.
    public let tags: String
    public let notes: [Note]
    public let values: [String: String]
    public let errors: [String: String]
    public let general: String?

    public init(_ record: CustomerRecords.Record, values: [String: String] = [:], errors: FieldMessages = FieldMessages()) {
        (id, email) = (record.id, record.email)
        let fullName = [record.firstName, record.lastName].compactMap { $0 }.joined(separator: " ")
        name = fullName.isEmpty ? nil : fullName
        account = record.registered ? (record.verified ? "Registered, address confirmed" : "Registered, address not confirmed") : "Guest"
        since = String(record.createdAt.prefix(10))
        (orderCount, totalSpent) = (record.orderCount, record.totalSpent.map(MoneyText.format))
        orderCountText = record.orderCount.map { $0 == 1 ? "1 order" : "\($0) orders" }
        orders = (record.recentOrders ?? []).map {
            Order(
                url: "/admin/orders/\($0.id)", name: $0.name, status: $0.status.replacingOccurrences(of: "_", with: " "), total: MoneyText.format($0.total),
                date: String($0.createdAt.prefix(10)))
        }
        hasOrders = !orders.isEmpty
        ordersUrl = CustomerRow.ordersURL(email: record.email)
        addresses = record.addresses.map { saved in
            let a = saved.address
            return [a.name, a.line1, a.line2, [a.postalCode, a.city, a.region].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " "), a.country]
                .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ") + (saved.isDefault ? " (default)" : "")
        }
        tags = values["tags"] ?? record.tags.joined(separator: ", ")
        notes = record.notes.map {
            Note(
                text: $0.text, by: $0.actor.replacingOccurrences(of: "staff:", with: ""),
                when: String($0.createdAt.prefix(16)).replacingOccurrences(of: "T", with: " "))
        }
        self.values = values
        self.errors = errors.messages
        general = errors.general
    }
}
