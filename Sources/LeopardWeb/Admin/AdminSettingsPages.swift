import Foundation
import LeopardCommerce

/// Store, theme, shipping and tax, and payment provider settings.
public struct SettingsPage: Sendable {
    public struct Choice: Sendable {
        public let value: String
        public let label: String
        public let selected: Bool
    }

    public let values: [String: String]
    public let errors: [String: String]
    public let general: String?
    public let presets: [Choice]
    public let stripeConfigured: Bool
    public let stripeHint: String?
    /// Stripe is connected with test keys: still test mode.
    public let stripeTestKeys: Bool
    /// Where Stripe sends this store's events (the platform host's address for it).
    public let webhookUrl: String
    public let isOwner: Bool
    /// Cards are authorized at checkout and captured when the order is fulfilled.
    public let manualCapture: Bool
    /// The zone names offered for the store's time zone.
    public let timeZones: [String] = ["UTC"] + TimeZone.knownTimeZoneIdentifiers.sorted()

    public init(
        values: [String: String], errors: FieldMessages, stripeConfigured: Bool, stripeHint: String?, stripeTestKeys: Bool = false,
        webhookUrl: String = "", isOwner: Bool, manualCapture: Bool = false
    ) {
        self.manualCapture = manualCapture
        self.values = values
        self.errors = errors.messages
        self.general = errors.general
        let preset = values["preset"] ?? "classic"
        presets = ThemeStyle.presets.map { Choice(value: $0.name, label: $0.label, selected: $0.name == preset) }
        self.stripeConfigured = stripeConfigured
        self.stripeHint = stripeHint
        self.stripeTestKeys = stripeTestKeys
        self.webhookUrl = webhookUrl
        self.isOwner = isOwner
    }

    /// The form's values for saved settings.
    public static func values(_ settings: StoreSettings) -> [String: String] {
        var values = [
            "name": settings.name, "currency": settings.currency, "contactEmail": settings.contactEmail ?? "",
            "taxRate": TaxRateText.percent(settings.taxRateBasisPoints),
            "shippingRate": MoneyText.decimal(settings.shippingRate, currency: settings.currency),
            "logoUrl": settings.logoUrl ?? "", "preset": settings.theme.preset ?? "classic",
            "primaryColor": settings.theme.primaryColor ?? "", "accentColor": settings.theme.accentColor ?? "",
            "font": settings.theme.font ?? "", "radius": settings.theme.radius.map(String.init) ?? "",
            "lowStockThreshold": String(settings.lowStockThreshold), "reservationMinutes": String(settings.reservationMinutes), "timeZone": settings.timeZone,
            "senderName": settings.mail.senderName ?? "", "replyTo": settings.mail.replyTo ?? "",
        ]
        // A switch that is on has a value; one that is off has none (templates test presence).
        if settings.mail.newOrderNotifications { values["newOrderNotifications"] = "on" }
        if settings.mail.lowStockNotifications { values["lowStockNotifications"] = "on" }
        return values
    }
}

/// Tax rates as merchants write them: basis points 825 ↔ "8.25".
public enum TaxRateText {
    public static func percent(_ basisPoints: Int) -> String {
        let whole = basisPoints / 100
        let fraction = basisPoints % 100
        return fraction == 0 ? String(whole) : "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
