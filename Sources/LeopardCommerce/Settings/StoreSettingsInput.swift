import Foundation
import LeopardCore
import LeopardStorage

/// The body of `PUT /api/settings`: any subset of the fields; absent ones stay as they are.
public struct StoreSettingsInput: Decodable, Sendable {
    public var name: String?
    public var currency: String?
    public var contactEmail: Patch<String> = .absent
    /// Percent of the subtotal, at most two decimals (8.25).
    public var taxRate: Decimal?
    public var shippingRate: MoneyInput?
    public var logoUrl: Patch<String> = .absent
    public var theme: StoreSettings.Theme?
    public var lowStockThreshold: Int?
    public var mail: MailInput?
    public var pricesIncludeTax: Bool?
    /// Minutes an unpaid card order holds its stock: 5 to 10 080 (a week).
    public var reservationMinutes: Int?
    /// An IANA time zone such as `Europe/Berlin`: the store's days in reports.
    public var timeZone: String?

    /// `mail`: any subset; `senderName` and `replyTo` take null to go back to the defaults.
    public struct MailInput: Decodable, Sendable {
        public var senderName: Patch<String> = .absent
        public var replyTo: Patch<String> = .absent
        public var newOrderNotifications: Bool?
        public var lowStockNotifications: Bool?

        enum CodingKeys: String, CodingKey { case senderName, replyTo, newOrderNotifications, lowStockNotifications }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            senderName = try container.decodePatch(String.self, forKey: .senderName)
            replyTo = try container.decodePatch(String.self, forKey: .replyTo)
            newOrderNotifications = try container.decodeIfPresent(Bool.self, forKey: .newOrderNotifications)
            lowStockNotifications = try container.decodeIfPresent(Bool.self, forKey: .lowStockNotifications)
        }

        func applied(to current: StoreSettings.MailPreferences) -> (StoreSettings.MailPreferences, [Problem.FieldError]) {
            var mail = current
            var errors: [Problem.FieldError] = []
            switch senderName {
            case .absent: break
            case .null: mail.senderName = nil
            case .value(let text):
                let name = text.trimmingWhitespace()
                if name.isEmpty || name.count > 100 || name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                    errors.append(.init(field: "mail.senderName", message: "must be 1 to 100 characters without line breaks"))
                } else {
                    mail.senderName = name
                }
            }
            switch replyTo {
            case .absent: break
            case .null: mail.replyTo = nil
            case .value(let text):
                if let email = EmailAddress(text) {
                    mail.replyTo = email.value
                } else {
                    errors.append(.init(field: "mail.replyTo", message: "must be an e-mail address"))
                }
            }
            if let newOrderNotifications { mail.newOrderNotifications = newOrderNotifications }
            if let lowStockNotifications { mail.lowStockNotifications = lowStockNotifications }
            return (mail, errors)
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, currency, contactEmail, taxRate, shippingRate, logoUrl, theme, lowStockThreshold, mail, pricesIncludeTax, reservationMinutes, timeZone
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        currency = try container.decodeIfPresent(String.self, forKey: .currency)
        contactEmail = try container.decodePatch(String.self, forKey: .contactEmail)
        taxRate = try container.decodeIfPresent(Decimal.self, forKey: .taxRate)
        shippingRate = try container.decodeIfPresent(MoneyInput.self, forKey: .shippingRate)
        logoUrl = try container.decodePatch(String.self, forKey: .logoUrl)
        theme = try container.decodeIfPresent(StoreSettings.Theme.self, forKey: .theme)
        lowStockThreshold = try container.decodeIfPresent(Int.self, forKey: .lowStockThreshold)
        mail = try container.decodeIfPresent(MailInput.self, forKey: .mail)
        pricesIncludeTax = try container.decodeIfPresent(Bool.self, forKey: .pricesIncludeTax)
        reservationMinutes = try container.decodeIfPresent(Int.self, forKey: .reservationMinutes)
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone)
    }

    public static let presets = ["classic", "midnight", "fresh"]

    public func applied(to current: StoreSettings) throws(Problem) -> StoreSettings {
        var settings = current
        var errors: [Problem.FieldError] = []
        func fail(_ field: String, _ message: String) { errors.append(.init(field: field, message: message)) }

        if let name {
            let trimmed = name.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.count > 100 { fail("name", "must be 1 to 100 characters") } else { settings.name = trimmed }
        }
        if let currency {
            let code = currency.uppercased()
            if Currency.isKnown(code) { settings.currency = code } else { fail("currency", "must be an ISO 4217 code such as USD or EUR") }
        }
        switch contactEmail {
        case .absent: break
        case .null: settings.contactEmail = nil
        case .value(let text):
            if let email = EmailAddress(text) { settings.contactEmail = email.value } else { fail("contactEmail", "must be an e-mail address") }
        }
        if let taxRate {
            let basisPoints = taxRate * 100
            var rounded = Decimal()
            var copy = basisPoints
            NSDecimalRound(&rounded, &copy, 0, .plain)
            if taxRate < 0 || taxRate > 100 || rounded != basisPoints {
                fail("taxRate", "must be a percentage from 0 to 100 with at most two decimals")
            } else {
                settings.taxRateBasisPoints = NSDecimalNumber(decimal: rounded).intValue
            }
        }
        if let shippingRate {
            let problems = shippingRate.problems(field: "shippingRate", storeCurrency: settings.currency)
            if problems.isEmpty { settings.shippingRate = shippingRate.amount } else { errors += problems }
        }
        switch logoUrl {
        case .absent: break
        case .null: settings.logoUrl = nil
        case .value(let url):
            if ProductDraft.urlProblem(url) == nil {
                settings.logoUrl = url
            } else {
                fail("logoUrl", "must be an http(s) URL of at most 2048 characters")
            }
        }
        if let theme {
            if let preset = theme.preset, !Self.presets.contains(preset) { fail("theme.preset", "must be one of \(Self.presets.joined(separator: ", "))") }
            let colours: [(String, String?)] = [
                ("primaryColor", theme.primaryColor), ("accentColor", theme.accentColor), ("backgroundColor", theme.backgroundColor),
                ("textColor", theme.textColor),
            ]
            for (field, value) in colours {
                if let value, !Self.isHexColour(value) { fail("theme.\(field)", "must be a colour like #1a2b3c") }
            }
            if let font = theme.font, font.count > 64 || font.contains(where: { !($0.isLetter || $0.isNumber || $0 == " " || $0 == "-") }) {
                fail("theme.font", "must be a font name of letters, digits, spaces and hyphens")
            }
            if let radius = theme.radius, !(0...32).contains(radius) { fail("theme.radius", "must be from 0 to 32") }
            settings.theme = theme
        }
        if let lowStockThreshold {
            if (0...1_000_000).contains(lowStockThreshold) {
                settings.lowStockThreshold = lowStockThreshold
            } else {
                fail("lowStockThreshold", "must be from 0 to 1000000")
            }
        }
        errors += applyCheckout(to: &settings)
        if let mail {
            let (preferences, problems) = mail.applied(to: settings.mail)
            settings.mail = preferences
            errors += problems
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return settings
    }

    /// Prices that include tax, how long unpaid card orders hold their stock, and the zone.
    func applyCheckout(to settings: inout StoreSettings) -> [Problem.FieldError] {
        if let pricesIncludeTax { settings.pricesIncludeTax = pricesIncludeTax }
        var errors: [Problem.FieldError] = []
        if let timeZone {
            // Only names the zone database knows, as it spells them (no offsets such as "+02:00").
            if timeZone.utf8.count <= 64, timeZone == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(timeZone), TimeZone(identifier: timeZone) != nil {
                settings.timeZone = timeZone
            } else {
                errors.append(.init(field: "timeZone", message: "must be a time zone name such as Europe/Berlin or America/New_York"))
            }
        }
        guard let reservationMinutes else { return errors }
        guard (5...10_080).contains(reservationMinutes) else {
            return errors + [.init(field: "reservationMinutes", message: "must be from 5 to 10080 (a week)")]
        }
        settings.reservationMinutes = reservationMinutes
        return errors
    }

    static func isHexColour(_ text: String) -> Bool {
        let body = text.utf8.dropFirst()
        return text.hasPrefix("#") && (body.count == 6 || body.count == 3)
            && body.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }
}

/// Settings as the API shows them.
public struct StoreSettingsView: Encodable, Sendable {
    public let name: String
    public let currency: String
    public let contactEmail: String?
    public let taxRate: Decimal
    public let shippingRate: Money
    public let logoUrl: String?
    public let theme: StoreSettings.Theme
    public let lowStockThreshold: Int
    public let mail: StoreSettings.MailPreferences
    public let pricesIncludeTax: Bool
    public let reservationMinutes: Int
    public let timeZone: String

    public init(_ settings: StoreSettings) {
        timeZone = settings.timeZone
        pricesIncludeTax = settings.pricesIncludeTax
        reservationMinutes = settings.reservationMinutes
        lowStockThreshold = settings.lowStockThreshold
        mail = settings.mail
        name = settings.name
        currency = settings.currency
        contactEmail = settings.contactEmail
        taxRate = Decimal(settings.taxRateBasisPoints) / 100
        shippingRate = Money(amount: settings.shippingRate, currency: settings.currency)
        logoUrl = settings.logoUrl
        theme = settings.theme
    }
}

extension StoreSettings {
    /// Applies a change to the store's saved settings, saves and returns them.
    public static func update(with input: StoreSettingsInput, database: any DatabaseHandle, actor: String) async throws -> StoreSettings {
        guard let current = try await load(from: database) else { throw Problem.unavailable("This store is not set up yet.") }
        let settings = try input.applied(to: current)
        try await save(settings, to: database, actor: actor)
        return settings
    }
}
