import Foundation
import LeopardCore
import LeopardStorage
import SQLKit

/// The store's own settings, in its database: name, currency, tax and shipping, contact, logo
/// and theme colours.
public struct StoreSettings: Sendable, Equatable, Codable {
    public struct Theme: Sendable, Equatable, Codable {
        public var preset: String?
        public var primaryColor: String?
        public var accentColor: String?
        public var backgroundColor: String?
        public var textColor: String?
        public var font: String?
        public var radius: Int?

        public init() {}
    }

    public var name: String
    public var currency: String
    public var contactEmail: String?
    /// Tax in basis points of the subtotal (825 = 8.25 %).
    public var taxRateBasisPoints: Int
    /// The flat shipping rate per order, in minor units.
    public var shippingRate: Int
    public var logoUrl: String?
    public var theme: Theme
    /// Stock at or under which a tracked variant announces `inventory.low`.
    public var lowStockThreshold: Int = 5
    /// Prices and shipping rates hold their tax (EU and UK habit); otherwise tax is added.
    public var pricesIncludeTax = false
    /// How long an unpaid card order holds its stock before it expires.
    public var reservationMinutes = 30
    /// The IANA zone the store's days are counted in (reports, "today" on the dashboard).
    public var timeZone = "UTC"
    public var mail = MailPreferences()

    /// How the store's mail looks to its readers, and which notices the owner wants.
    public struct MailPreferences: Sendable, Equatable, Codable {
        /// The name mail comes from (the store's name when nil); the address is the platform's.
        public var senderName: String?
        /// Where shoppers' answers go (the contact address when nil).
        public var replyTo: String?
        public var newOrderNotifications = true
        public var lowStockNotifications = true

        public init() {}
    }

    public init(
        name: String, currency: String, contactEmail: String?, taxRateBasisPoints: Int = 0, shippingRate: Int = 0, logoUrl: String? = nil,
        theme: Theme = Theme()
    ) {
        self.name = name
        self.currency = currency
        self.contactEmail = contactEmail
        self.taxRateBasisPoints = taxRateBasisPoints
        self.shippingRate = shippingRate
        self.logoUrl = logoUrl
        self.theme = theme
    }

    /// The store's zone; a stored name this system does not know counts as UTC.
    public var zone: TimeZone { TimeZone(identifier: timeZone) ?? .gmt }

    public static func load(from database: any DatabaseHandle) async throws -> StoreSettings? {
        try await database.read { sql in try await load(on: sql) }
    }

    static func load(on sql: any SQLDatabase) async throws -> StoreSettings? {
        try await sql.raw(
            """
            SELECT name, currency, contact_email, tax_rate_bps, shipping_rate, logo_url, theme_json, low_stock_threshold,
                mail_sender_name, mail_reply_to, notify_new_orders, notify_low_stock, prices_include_tax, reservation_minutes,
                time_zone
            FROM store_settings WHERE id = 1
            """
        ).first().map { row in
            var settings = StoreSettings(
                name: try row.decode(column: "name", as: String.self),
                currency: try row.decode(column: "currency", as: String.self),
                contactEmail: try row.decode(column: "contact_email", as: String?.self),
                taxRateBasisPoints: try row.decode(column: "tax_rate_bps", as: Int.self),
                shippingRate: try row.decode(column: "shipping_rate", as: Int.self),
                logoUrl: try row.decode(column: "logo_url", as: String?.self),
                theme: try JSONText.decode(Theme.self, from: try row.decode(column: "theme_json", as: String.self))
            )
            settings.lowStockThreshold = try row.decode(column: "low_stock_threshold", as: Int.self)
            settings.mail.senderName = try row.decode(column: "mail_sender_name", as: String?.self)
            settings.mail.replyTo = try row.decode(column: "mail_reply_to", as: String?.self)
            settings.mail.newOrderNotifications = try row.decode(column: "notify_new_orders", as: Int.self) != 0
            settings.mail.lowStockNotifications = try row.decode(column: "notify_low_stock", as: Int.self) != 0
            settings.pricesIncludeTax = try row.decode(column: "prices_include_tax", as: Int.self) != 0
            settings.reservationMinutes = try row.decode(column: "reservation_minutes", as: Int.self)
            settings.timeZone = try row.decode(column: "time_zone", as: String.self)
            return settings
        }
    }

    /// Saves the settings. The currency can change only while the store has no orders, since
    /// every price and order is in the store's currency.
    public static func save(_ settings: StoreSettings, to database: any DatabaseHandle, actor: String, now: Date = Date()) async throws {
        try await database.write { sql in
            guard let current = try await load(on: sql) else { throw Problem.notFound("This store has no settings.") }
            if current.currency != settings.currency,
                try await sql.raw("SELECT id FROM orders LIMIT 1").first() != nil
            {
                throw Problem.conflict(
                    "The currency cannot change once the store has orders.",
                    errors: [.init(field: "currency", message: "cannot change once the store has orders")])
            }
            try await sql.raw(
                """
                UPDATE store_settings SET name = \(bind: settings.name), currency = \(bind: settings.currency), contact_email = \(bind: settings.contactEmail),
                    tax_rate_bps = \(bind: settings.taxRateBasisPoints), shipping_rate = \(bind: settings.shippingRate), logo_url = \(bind: settings.logoUrl),
                    theme_json = \(bind: try JSONText.encode(settings.theme)), low_stock_threshold = \(bind: settings.lowStockThreshold),
                    mail_sender_name = \(bind: settings.mail.senderName), mail_reply_to = \(bind: settings.mail.replyTo),
                    notify_new_orders = \(bind: settings.mail.newOrderNotifications ? 1 : 0), notify_low_stock = \(bind: settings.mail.lowStockNotifications ? 1 : 0),
                    prices_include_tax = \(bind: settings.pricesIncludeTax ? 1 : 0), reservation_minutes = \(bind: settings.reservationMinutes),
                    time_zone = \(bind: settings.timeZone), updated_at = \(bind: now.stamp)
                WHERE id = 1
                """
            ).run()
            let changed = Self.changedFields(from: current, to: settings)
            guard !changed.isEmpty else { return }
            try await AuditLog.record(
                actor: actor, action: "settings.updated", subject: nil, summary: "Changed " + changed.joined(separator: ", "), now: now, on: sql)
        }
    }

    /// The names of the settings that differ, for the audit log (values are left out: a
    /// reply-to address is nobody else's business).
    static func changedFields(from old: StoreSettings, to new: StoreSettings) -> [String] {
        let before = Dictionary(Mirror(reflecting: old).children.compactMap { child in child.label.map { ($0, String(describing: child.value)) } }) { a, _ in a
        }
        return Mirror(reflecting: new).children.compactMap { child in
            guard let label = child.label, before[label] != String(describing: child.value) else { return nil }
            return label
        }
    }
}
