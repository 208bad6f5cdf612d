import LeopardCore

/// Where a rate or a shipping zone applies: a country (`DE`), or a region of one (`US-CA`),
/// ISO 3166-1 and the subdivision part of ISO 3166-2.
public struct Place: Sendable, Hashable, Comparable {
    public let country: String
    /// Empty for the whole country.
    public let region: String

    public var code: String { region.isEmpty ? country : "\(country)-\(region)" }

    /// `DE`, `US-CA`, or a country with a separate region (`US` and `CA`); nil when either is
    /// not a code.
    public init?(country: String, region: String? = nil) {
        var country = country.trimmingWhitespace().uppercased()
        var region = (region ?? "").trimmingWhitespace().uppercased()
        if region.isEmpty, country.count > 2, let dash = country.firstIndex(of: "-") {
            region = String(country[country.index(after: dash)...])
            country = String(country[..<dash])
        } else if region.hasPrefix(country + "-") {
            region.removeFirst(country.count + 1)
        }
        guard Address.countries.contains(country) else { return nil }
        guard region.isEmpty || (1...3).contains(region.count) && region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        (self.country, self.region) = (country, region)
    }

    /// The places an address is in: its country, and its region when the address names one
    /// by code (`CA` or `US-CA`; a region written out in full matches the country only).
    public static func of(_ address: Address) -> [Place] {
        guard let country = Place(country: address.country) else { return [] }
        guard let region = address.region.flatMap({ Place(country: address.country, region: $0) }), !region.region.isEmpty else { return [country] }
        return [country, region]
    }

    public static func < (lhs: Place, rhs: Place) -> Bool { lhs.code < rhs.code }
}
