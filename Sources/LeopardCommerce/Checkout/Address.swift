import LeopardCore

/// A postal address: `{name, line1, line2?, city, region?, postalCode, country}`, the country as
/// an ISO 3166-1 alpha-2 code.
public struct Address: Codable, Sendable, Equatable {
    public var name: String
    public var line1: String
    public var line2: String?
    public var city: String
    public var region: String?
    public var postalCode: String
    public var country: String

    public init(name: String, line1: String, line2: String?, city: String, region: String?, postalCode: String, country: String) {
        self.name = name
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.region = region
        self.postalCode = postalCode
        self.country = country
    }

    /// Field errors under `field` (e.g. `shippingAddress.city`), with the country upper-cased.
    public func validated(field: String) -> (Address, [Problem.FieldError]) {
        var address = self
        var errors: [Problem.FieldError] = []
        func check(_ name: String, _ value: String?, required: Bool, maximum: Int = 200) -> String? {
            guard let value else {
                if required { errors.append(.init(field: "\(field).\(name)", message: "is required")) }
                return nil
            }
            let trimmed = value.trimmingWhitespace()
            if required && trimmed.isEmpty {
                errors.append(.init(field: "\(field).\(name)", message: "is required"))
            } else if trimmed.count > maximum || trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                errors.append(.init(field: "\(field).\(name)", message: "must be at most \(maximum) characters without control characters"))
            }
            return trimmed.isEmpty ? nil : trimmed
        }
        address.name = check("name", name, required: true) ?? ""
        address.line1 = check("line1", line1, required: true) ?? ""
        address.line2 = check("line2", line2, required: false)
        address.city = check("city", city, required: true) ?? ""
        address.region = check("region", region, required: false)
        address.postalCode = check("postalCode", postalCode, required: true, maximum: 20) ?? ""
        address.country = country.trimmingWhitespace().uppercased()
        if !Self.countries.contains(address.country) {
            errors.append(.init(field: "\(field).country", message: "must be an ISO 3166-1 alpha-2 code such as US or DE"))
        }
        return (address, errors)
    }

    /// ISO 3166-1 alpha-2 codes (from Debian's iso-codes).
    public static let countries: Set<String> = [
        "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA",
        "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV",
        "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU",
        "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES",
        "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM",
        "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE",
        "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM",
        "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY",
        "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT",
        "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU",
        "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA",
        "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM",
        "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL",
        "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE",
        "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
    ]
}
